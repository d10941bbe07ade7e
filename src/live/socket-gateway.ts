import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Server as HttpServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { AppConfig } from '../common/app-config.js';
import { closeRedis, createRedis } from '../infra/redis/redis.js';
import { AccessRefusals } from '../auth/index.js';
import { type Admission, ConnectionAdmission } from './connection-admission.js';
import { LiveConnections } from './live-connections.js';
import { LiveNodes } from './live-nodes.js';
import { kickLocalSockets, kickSocket } from './local-kicks.js';
import { handshakeToken } from './handshake-token.js';
import { HANDSHAKE_LIMIT_MS, RecentKicks } from './recent-kicks.js';
import { sessionRoom, tenantRoom, userRoom } from './rooms.js';
import { PING_EVENT } from './socket-events.js';
import { socketRedisKey } from './socket-redis-key.js';
import { SubscriptionWatch } from './subscription-watch.js';
import { type CaughtUp, SocketRecheck } from './socket-recheck.js';
import type { GatewayServer, GatewaySocket } from './socket-server.js';
import { socketsIn } from './socket-kick.js';

/** How long a kick's answers are taken after the Disconnect API has stopped waiting for them. */
const LATE_ANSWER_WINDOW_MS = 30_000;

/** Refusals travel as the `connect_error` message, with the same code in `data` for typed clients. */
const refusal = (code: string) => Object.assign(new Error(code), { data: { code } });

/**
 * socket.io on the api process's HTTP server (`/socket.io`), with the Redis adapter so that any node
 * reaches any socket. Processes without an HTTP server (the worker, the CLI) start no gateway.
 */
@Injectable()
export class SocketGateway implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(SocketGateway.name);
  private io?: GatewayServer;
  private redis: Redis[] = [];
  private timer?: NodeJS.Timeout;
  private subscription?: SubscriptionWatch;
  /**
   * Whether kicks from other nodes reach this one and they wait for its answer: its Redis subscription is
   * confirmed and it is marked among the live nodes. Undefined in a process without the gateway.
   */
  listening?: () => boolean;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly admission: ConnectionAdmission,
    private readonly connections: LiveConnections,
    private readonly recent: RecentKicks,
    private readonly recheck: SocketRecheck,
    private readonly refusals: AccessRefusals,
    private readonly nodes: LiveNodes,
  ) {}

  onApplicationBootstrap(): void {
    const httpServer = this.adapterHost.httpAdapter?.getHttpServer() as HttpServer | undefined;
    if (!httpServer) return;
    const pub = createRedis(this.config.redis, 'socket-pub');
    const sub = createRedis(this.config.redis, 'socket-sub');
    this.redis = [pub, sub];
    for (const client of this.redis) client.on('error', () => undefined);
    this.io = new Server(httpServer, {
      path: '/socket.io',
      serveClient: false,
      // Clients send nothing but the handshake and pings: no reason to buffer a megabyte (the default) per message.
      maxHttpBufferSize: 64 * 1024,
      // Apps' sockets authenticate with a bearer token in the handshake: any origin may connect, since a
      // page on another origin holds no token of ours. Our own pages' sockets (same origin, no CORS) bring
      // the page cookie, taken only with our Origin (see handshakeToken).
      cors: { origin: true, credentials: false },
      adapter: createAdapter(pub, sub, {
        key: socketRedisKey(this.config),
        // Longer than the API waits: a node that answers late still has its closures put on record.
        requestsTimeout: LATE_ANSWER_WINDOW_MS,
      }),
    });
    this.io.use((socket, next) => void this.handshake(socket).then(next, next));
    this.io.on('connection', (socket) => this.joined(socket));
    // Until this node's subscriptions are confirmed, the adapter would count the other nodes wrong.
    this.subscription = new SubscriptionWatch(sub, (recovered) => {
      void this.nodes.mark();
      // Kicks sent while this node's Redis connection was down never reached it: catch up from PostgreSQL.
      if (recovered) void this.recheckSockets();
    });
    const listening = () => this.subscription?.isLive() ?? false;
    // Ready once the other nodes also know to wait for this one's answers.
    this.listening = () => listening() && this.nodes.marked;
    this.connections.serveFrom(this.io, listening);
    this.nodes.join(listening);
    this.subscription.start();
    this.timer = setInterval(() => void this.recheckSockets(), this.config.env.SOCKET_RECHECK_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  private async handshake(socket: GatewaySocket): Promise<Error | undefined> {
    const checkedAt = performance.now();
    try {
      const admission = await this.admission.admit(handshakeToken(socket.handshake, this.config.publicUrl));
      if (!admission.admitted) {
        void this.recordRefusal(socket, admission);
        return refusal(admission.refusal);
      }
      const { session } = admission;
      socket.data = {
        tenantId: session.tenantId,
        userId: session.userId,
        sessionId: session.id,
        tokenFingerprint: session.tokenFingerprint,
        checkedAt,
      };
      return undefined;
    } catch (error) {
      this.logger.error(`socket handshake failed: ${(error as Error).message}`);
      return refusal('unavailable');
    }
  }

  /**
   * A refused handshake of a real session is audited (the first per session, reason and window); one
   * with a token that names nobody is only counted, like a bad bearer token over HTTP.
   */
  private async recordRefusal(socket: GatewaySocket, admission: Extract<Admission, { admitted: false }>) {
    const { session } = admission;
    if (!session) return this.refusals.counted(null, 'socket_refused');
    await this.refusals.record({
      tenantId: session.tenantId,
      actor: { type: 'user', id: session.userId },
      reason: 'socket_refused',
      caller: session.id,
      resource: `socket ${admission.refusal}`,
      request: {
        ip: socket.handshake.address || null,
        userAgent: socket.handshake.headers['user-agent'] ?? null,
        location: null,
      },
      details: { refusal: admission.refusal, sessionId: session.id },
    });
  }

  private joined(socket: GatewaySocket): void {
    const { tenantId, userId, sessionId, checkedAt } = socket.data;
    void socket.join([sessionRoom(sessionId), userRoom(userId), tenantRoom(tenantId)]);
    // The answer says only that the connection is held; a client that sends no callback gets none.
    socket.on(PING_EVENT, (ack) => void (typeof ack === 'function' && ack()));
    // A kick that arrived between this socket's check and now found it in no room yet.
    const missed = this.recent.since(sessionId, checkedAt);
    if (missed && missed.keep !== socket.data.tokenFingerprint) kickSocket(socket, missed.cause, missed.reason);
    else if (performance.now() - checkedAt > HANDSHAKE_LIMIT_MS) socket.disconnect(true);
  }

  localSocketCount(): number {
    return this.io?.of('/').sockets.size ?? 0;
  }

  /** Re-reads the sessions of this node's sockets and closes those that may no longer be connected. */
  async recheckSockets(): Promise<number> {
    const io = this.io;
    if (!io) return 0;
    const sockets = [...io.of('/').sockets.values()];
    const owners = new Map(sockets.map((s) => [s.data.sessionId, s.data]));
    const heldTokens = sockets.map((s) => ({ sessionId: s.data.sessionId, tokenFingerprint: s.data.tokenFingerprint }));
    try {
      let closed = 0;
      const caughtUp: CaughtUp[] = [];
      const { missed, clientAppRules } = await this.recheck.kicksOwed(heldTokens);
      for (const kick of missed) {
        for (const [sessionId, sockets] of Object.entries(kickLocalSockets(io, this.recent, kick))) {
          closed += sockets;
          const { tenantId, userId } = owners.get(sessionId)!;
          const reason = kick.reasons[sessionId]!;
          if (kick.cause === 'step_up_required') caughtUp.push({ tenantId, userId, sessionId, sockets, reason });
        }
      }
      // Not the Disconnect API's kicks: no `SessionDisconnected` owed. The sockets cannot come back (the
      // handshake refuses them the same way, and audits that).
      for (const kick of clientAppRules) closed += socketsIn(kickLocalSockets(io, this.recent, kick));
      await this.recheck.recordCaughtUp(caughtUp);
      return closed;
    } catch (error) {
      this.logger.warn(`socket re-check failed: ${(error as Error).message}`);
      return 0;
    }
  }

  /**
   * Closes every connection at the transport level before the HTTP server drains (open websockets would
   * keep it from closing): clients see a transport close and reconnect to another node.
   */
  closeConnections(): void {
    clearInterval(this.timer);
    this.subscription?.stop();
    // With no socket left here, the other nodes need not hear from this one any more.
    if (this.io) void this.nodes.leave();
    this.connections.stopServing();
    this.io?.engine.close();
  }

  beforeApplicationShutdown(): void {
    this.closeConnections();
  }

  async onApplicationShutdown(): Promise<void> {
    // close() sends its unsubscribes without waiting for them: closeRedis lets them finish.
    await this.io?.of('/').adapter.close();
    await Promise.all(this.redis.map((client) => closeRedis(client)));
  }
}

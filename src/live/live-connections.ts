import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { AppConfig } from '../common/app-config.js';
import { closeRedis, createRedis } from '../infra/redis/redis.js';
import { kickLocalSockets } from './local-kicks.js';
import { LiveNodes } from './live-nodes.js';
import { RecentKicks } from './recent-kicks.js';
import {
  KICK_EVENT,
  type KickAnswer,
  type KickReport,
  mergeReports,
  type SocketKick,
  socketsIn,
} from './socket-kick.js';
import { socketRedisKey } from './socket-redis-key.js';
import type { GatewayServer } from './socket-server.js';

export interface KickOutcome {
  /** Sockets closed, per session, on every node that answered. */
  perSession: KickReport;
  sockets: number;
  /** False when some node did not answer in time (Redis down, a node stuck): its sockets close later. */
  allNodesReached: boolean;
}

/**
 * Closes sessions' sockets wherever they are. On an api node the kick runs on this node's sockets and is
 * sent to every other node through the socket.io Redis adapter, which answers with what each closed. A
 * process without the gateway (the worker) publishes the same kick with the Redis emitter, unanswered.
 * If Redis is down the publish waits in the client's queue and goes out when Redis is back; the nodes
 * also re-check their sockets against PostgreSQL when their own Redis connection returns.
 */
@Injectable()
export class LiveConnections implements OnApplicationShutdown {
  private readonly logger = new Logger(LiveConnections.name);
  private server?: GatewayServer;
  private subscribed: () => boolean = () => false;
  private emitter?: { redis: Redis; emitter: Emitter };

  constructor(
    private readonly config: AppConfig,
    private readonly recent: RecentKicks,
    private readonly nodes: LiveNodes,
  ) {}

  /** Called by the gateway once its server is up: from then on kicks reach this node's sockets directly. */
  serveFrom(server: GatewayServer, subscribed: () => boolean): void {
    this.server = server;
    this.subscribed = subscribed;
    server.on(KICK_EVENT, (kick, done) => {
      const closed = kickLocalSockets(server, this.recent, kick);
      // A worker's emitter publishes the kick without asking for an answer.
      if (typeof done === 'function') done({ node: this.nodes.id, closed });
    });
  }

  stopServing(): void {
    this.server = undefined;
  }

  /**
   * `onLate` hears what nodes report after the wait is over (a kick that sat in the Redis client's queue
   * through an outage, say): the sockets they closed, so that the caller can still put them on record.
   */
  async kick(kick: SocketKick, onLate?: (report: KickReport) => void): Promise<KickOutcome> {
    if (Object.keys(kick.reasons).length === 0) return { perSession: {}, sockets: 0, allNodesReached: true };
    const server = this.server;
    if (!server) {
      this.emitterClient().serverSideEmit(KICK_EVENT, kick);
      return { perSession: {}, sockets: 0, allNodesReached: false };
    }
    const local = kickLocalSockets(server, this.recent, kick);
    if (!this.subscribed()) {
      // The adapter counts the other nodes as the channel's subscribers less this one: with this node's
      // own subscription not back yet it would count one too few, maybe none, and send nothing. Publish
      // unasked instead; the answer then says that not every node was heard.
      publishUnasked(server, kick);
      return { perSession: local, sockets: socketsIn(local), allNodesReached: false };
    }
    const remote = await this.askOtherNodes(server, kick, onLate);
    const perSession = mergeReports([local, ...remote.reports]);
    return { perSession, sockets: socketsIn(perSession), allNodesReached: remote.complete };
  }

  /**
   * Complete when every node in LiveNodes answered: the adapter stops at as many answers as the channel
   * has other subscribers, which leaves out a node whose subscription is not back yet.
   */
  private askOtherNodes(
    server: GatewayServer,
    kick: SocketKick,
    onLate?: (report: KickReport) => void,
  ): Promise<{ reports: KickReport[]; complete: boolean }> {
    const timeoutMs = this.config.env.SOCKET_KICK_TIMEOUT_MS;
    const expected = this.nodes.others();
    const reportLate = (reports: KickReport[]) => {
      const late = mergeReports(reports);
      if (Object.keys(late).length) onLate?.(late);
    };
    return new Promise((resolve) => {
      let waited = false;
      // The adapter's own timeout starts only once Redis has told it how many nodes there are; the
      // list of nodes may wait in the client's queue too. Neither may hold the caller past this.
      const timer = setTimeout(() => {
        waited = true;
        resolve({ reports: [], complete: false });
      }, timeoutMs);
      server.serverSideEmit(KICK_EVENT, kick, (error: Error | null, answers: KickAnswer[]) => {
        const reports = (answers ?? []).map((answer) => answer.closed);
        if (waited) return reportLate(reports);
        if (error) this.logger.warn(`kick: ${error.message}`);
        void expected.then((nodes) => {
          clearTimeout(timer);
          if (waited) return reportLate(reports);
          const heard = new Set((answers ?? []).map((answer) => answer.node));
          const complete = !error && nodes !== null && [...nodes].every((node) => heard.has(node));
          resolve({ reports, complete });
        });
      });
    });
  }

  private emitterClient(): Emitter {
    if (!this.emitter) {
      const redis = createRedis(this.config.redis, 'socket-emitter');
      redis.on('error', () => undefined);
      this.emitter = { redis, emitter: new Emitter(redis, { key: socketRedisKey(this.config) }) };
    }
    return this.emitter.emitter;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.emitter) await closeRedis(this.emitter.redis);
  }
}

/** The typed event map asks for an answer; this publish asks for none (the nodes check for `done`). */
function publishUnasked(server: GatewayServer, kick: SocketKick): void {
  (server as unknown as { serverSideEmit(event: string, kick: SocketKick): void }).serverSideEmit(KICK_EVENT, kick);
}

import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import { TenantScope } from '../common/tenant-scope.js';
import type { DisconnectOutcome } from './commands/disconnect.command.js';
import { LiveConnections } from './live-connections.js';
import type { KickReport } from './socket-kick.js';
import { type Disconnection, type FlagResult, type DisconnectRequest, DisconnectRound } from './disconnect-round.js';

/** Requests per round: a burst larger than this takes several rounds. */
const MAX_ROUND = 250;

interface Waiting {
  request: DisconnectRequest;
  resolve(outcome: DisconnectOutcome): void;
  reject(error: unknown): void;
}

/** A request of the round whose sessions were flagged, with what the flagging found. */
interface RoundRequest {
  w: Waiting;
  result: Extract<FlagResult, { ok: true }>;
}

interface Lane {
  waiting: Waiting[];
  /** Kicks that finished: their `SessionDisconnected` entries go into the next round, then they answer. */
  kicked: { disconnection: Disconnection; waiting: Waiting; outcome: DisconnectOutcome }[];
  running: boolean;
}

/**
 * Group commit for the Disconnect API, one lane per tenant (the tenant's audit chain is what one
 * transaction at a time may append to). A request that finds its lane idle is committed at once, alone;
 * requests that arrive while a round commits wait for it and go together in the next one. Each request's
 * flags are committed before its kick is sent, and its answer waits for its `SessionDisconnected` entries.
 */
@Injectable()
export class DisconnectLanes {
  private readonly logger = new Logger(DisconnectLanes.name);
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly round: DisconnectRound,
    private readonly connections: LiveConnections,
  ) {}

  submit(request: DisconnectRequest): Promise<DisconnectOutcome> {
    return new Promise((resolve, reject) => {
      const lane = this.laneOf(request.tenantId);
      lane.waiting.push({ request, resolve, reject });
      void this.drain(request.tenantId, lane);
    });
  }

  private laneOf(tenantId: string): Lane {
    let lane = this.lanes.get(tenantId);
    if (!lane) this.lanes.set(tenantId, (lane = { waiting: [], kicked: [], running: false }));
    return lane;
  }

  private async drain(tenantId: string, lane: Lane): Promise<void> {
    if (lane.running) return;
    lane.running = true;
    try {
      while (lane.waiting.length || lane.kicked.length) {
        const batch = takeRound(lane.waiting);
        const kicked = lane.kicked.splice(0);
        let results: FlagResult[];
        try {
          results = await this.commit(
            tenantId,
            batch.map((w) => w.request),
            kicked.map((k) => k.disconnection),
          );
        } catch (error) {
          for (const w of [...batch, ...kicked.map((k) => k.waiting)]) w.reject(error);
          continue;
        }
        for (const k of kicked) k.waiting.resolve(k.outcome);
        this.kickRound(tenantId, batch, results);
      }
    } finally {
      lane.running = false;
      if (this.lanes.get(tenantId) === lane && !lane.waiting.length && !lane.kicked.length) this.lanes.delete(tenantId);
    }
  }

  /**
   * One kick for the whole round, sent without holding the lane: the next round commits while the
   * nodes close the sockets. Each request then hears what was closed of its own sessions.
   */
  private kickRound(tenantId: string, batch: readonly Waiting[], results: readonly FlagResult[]): void {
    const done: RoundRequest[] = [];
    const reasons: Record<string, string> = {};
    batch.forEach((w, i) => {
      const result = results[i]!;
      if (!result.ok) return w.reject(result.error);
      for (const id of result.kick) reasons[id] = w.request.reason;
      done.push({ w, result });
    });
    if (done.length === 0) return;
    const onLate = (report: KickReport) => void this.recordLate(tenantId, done, report);
    this.connections.kick({ cause: 'step_up_required', reasons }, onLate).then(
      (kicked) => {
        const lane = this.laneOf(tenantId);
        for (const { w, result } of done) {
          const perSession = closedOf(result.kick, kicked.perSession);
          const outcome = {
            sessionsAffected: result.flagged.length,
            socketsDisconnected: perSession.reduce((sum, [, n]) => sum + n, 0),
            allNodesReached: kicked.allNodesReached,
          };
          if (perSession.length === 0) {
            w.resolve(outcome);
            continue;
          }
          const disconnection = {
            request: w.request,
            userId: result.userId,
            perSession,
            allNodesReached: kicked.allNodesReached,
          };
          lane.kicked.push({ disconnection, waiting: w, outcome });
        }
        void this.drain(tenantId, lane);
      },
      (error: unknown) => done.forEach(({ w }) => w.reject(error)),
    );
  }

  /** Sockets closed after the round's requests were answered: their entries go into a round of their own. */
  private async recordLate(tenantId: string, done: readonly RoundRequest[], report: KickReport): Promise<void> {
    const late = done.flatMap(({ w, result }) => {
      const perSession = closedOf(result.kick, report);
      return perSession.length
        ? [{ request: w.request, userId: result.userId, perSession, allNodesReached: false }]
        : [];
    });
    await this.commit(tenantId, [], late).catch((error: unknown) =>
      this.logger.warn(`late SessionDisconnected entries: ${(error as Error).message}`),
    );
  }

  /** A round in the lane's tenant, whichever request or late report drives it. */
  private commit(tenantId: string, requests: DisconnectRequest[], kicked: Disconnection[]): Promise<FlagResult[]> {
    return TenantScope.run(tenantId, () => this.uow.run((tx) => this.round.commit(tx, tenantId, requests, kicked)));
  }
}

/** What a report says was closed of these sessions, as [session id, sockets] pairs. */
function closedOf(sessionIds: readonly string[], report: KickReport): [string, number][] {
  return sessionIds.flatMap((id): [string, number][] => (report[id] ? [[id, report[id]]] : []));
}

/** The next round: up to MAX_ROUND requests, at most one per target (a repeat waits for the next round). */
function takeRound(waiting: Waiting[]): Waiting[] {
  const round: Waiting[] = [];
  const targets = new Set<string>();
  for (let i = 0; i < waiting.length && round.length < MAX_ROUND;) {
    const { target } = waiting[i]!.request;
    const key = 'userId' in target ? `user:${target.userId}` : `session:${target.sessionId}`;
    if (targets.has(key)) {
      i++;
      continue;
    }
    targets.add(key);
    round.push(...waiting.splice(i, 1));
  }
  return round;
}

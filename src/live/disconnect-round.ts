import { Injectable } from '@nestjs/common';
import { type AuditableEvent, type AuditEntry, type AuditEvent, AuditLog, SecurityNotices } from '../audit/index.js';
import type { Actor, RequestMeta } from '../common/actor.js';
import type { Tx } from '../common/cqrs/unit-of-work.js';
import { type DomainError, notFound } from '../common/errors/domain-error.js';
import { userNotFound, UsersDirectory } from '../identity/index.js';
import { RememberedDevicesForgottenEvent, SessionsService } from '../sessions/index.js';
import type { DisconnectTarget } from './commands/disconnect.command.js';
import { SessionDisconnectedEvent, StepUpRequestedEvent } from './events/disconnect.events.js';

export interface DisconnectRequest {
  tenantId: string;
  target: DisconnectTarget;
  reason: string;
  actor: Actor;
  request: RequestMeta;
}

/** What one request's flagging came to: the sessions to kick, or why it could not be done. */
export type FlagResult =
  { ok: true; userId: string; flagged: string[]; kick: string[] } | { ok: false; error: DomainError };

/** Sockets the kick closed for a request, to be audited (`SessionDisconnected`) in a later round. */
export interface Disconnection {
  request: DisconnectRequest;
  userId: string;
  perSession: [sessionId: string, sockets: number][];
  allNodesReached: boolean;
}

type Audited = { event: AuditableEvent; entry: Omit<AuditEntry, 'tenantId' | 'action' | 'outcome'> };

/**
 * One round of the Disconnect API for a tenant, in one transaction: the flags of every request in it
 * (and the forgetting of their users' remembered devices) with their audit entries, plus the
 * `SessionDisconnected` entries of kicks that finished since the last round. The tenant's audit chain
 * is locked once per round instead of once per request: under a burst, requests share the commit.
 */
@Injectable()
export class DisconnectRound {
  constructor(
    private readonly audit: AuditLog,
    private readonly sessions: SessionsService,
    private readonly users: UsersDirectory,
    private readonly notices: SecurityNotices,
  ) {}

  async commit(
    tx: Tx,
    tenantId: string,
    requests: readonly DisconnectRequest[],
    disconnections: readonly Disconnection[],
  ): Promise<FlagResult[]> {
    const userTargets = requests.flatMap((r) =>
      'userId' in r.target ? [{ id: r.target.userId, reason: r.reason }] : [],
    );
    const sessionTargets = requests.flatMap((r) =>
      'sessionId' in r.target ? [{ id: r.target.sessionId, reason: r.reason }] : [],
    );
    const { flagged, devicesForgotten } = await this.sessions.requireStepUp(tx, tenantId, {
      users: userTargets,
      sessions: sessionTargets,
    });
    const owners = await this.ownersOf(tx, tenantId, requests, flagged);
    const results = requests.map((r): FlagResult => {
      if ('userId' in r.target) {
        const { userId } = r.target;
        if (!owners.users.has(userId)) return { ok: false, error: userNotFound() };
        const ids = flagged.filter((s) => s.flaggedFor === 'user' && s.userId === userId).map((s) => s.id);
        return { ok: true, userId, flagged: ids, kick: ids };
      }
      const { sessionId } = r.target;
      const userId = owners.sessions.get(sessionId);
      if (!userId) return { ok: false, error: notFound('Session') };
      const live = flagged.some((s) => s.flaggedFor === 'session' && s.id === sessionId);
      // One session's sockets are closed even when it is no longer live: nothing may stay connected on it.
      return { ok: true, userId, flagged: live ? [sessionId] : [], kick: [sessionId] };
    });
    const entries = requests.flatMap((r, i) => this.flagEntries(r, results[i]!, devicesForgotten));
    entries.push(...disconnections.flatMap((d) => disconnectionEntries(tenantId, d)));
    const appended = await this.audit.recordMany(tx, tenantId, entries);
    for (const entry of firstStepUpPerUser(appended)) await this.notices.tell(tx, entry, String(entry.details.userId));
    return results;
  }

  private async ownersOf(
    tx: Tx,
    tenantId: string,
    requests: readonly DisconnectRequest[],
    flagged: readonly { id: string; userId: string }[],
  ) {
    const users = new Set(flagged.map((s) => s.userId));
    const sessions = new Map(flagged.map((s) => [s.id, s.userId]));
    const askUsers = requests.flatMap((r) =>
      'userId' in r.target && !users.has(r.target.userId) ? [r.target.userId] : [],
    );
    const askSessions = requests.flatMap((r) =>
      'sessionId' in r.target && !sessions.has(r.target.sessionId) ? [r.target.sessionId] : [],
    );
    for (const id of await this.users.existingIds(tenantId, askUsers, tx.em)) users.add(id);
    for (const [id, userId] of await this.sessions.ownersOf(tx, tenantId, askSessions)) sessions.set(id, userId);
    return { users, sessions };
  }

  private flagEntries(r: DisconnectRequest, result: FlagResult, forgotten: Map<string, number>): Audited[] {
    if (!result.ok) return [];
    const { userId, flagged, kick } = result;
    const session = 'sessionId' in r.target ? r.target.sessionId : null;
    const entries: Audited[] = [
      {
        event: new StepUpRequestedEvent(r.tenantId, userId, kick, r.reason),
        entry: {
          actor: r.actor,
          target: session ? { type: 'session', id: session } : { type: 'user', id: userId },
          request: r.request,
          details: { reason: r.reason, userId, sessionIds: flagged },
        },
      },
    ];
    const devices = session ? 0 : (forgotten.get(userId) ?? 0);
    if (devices > 0) {
      entries.push({
        event: new RememberedDevicesForgottenEvent(r.tenantId, userId, devices),
        entry: {
          actor: r.actor,
          target: { type: 'user', id: userId },
          request: r.request,
          details: { forgotten: devices },
        },
      });
    }
    return entries;
  }
}

/** One notice per user per round, about the first request that flagged any of their sessions. */
function firstStepUpPerUser(appended: readonly AuditEvent[]): AuditEvent[] {
  const told = new Map<unknown, AuditEvent>();
  for (const entry of appended) {
    const { userId, sessionIds } = entry.details;
    const flaggedAny = Array.isArray(sessionIds) && sessionIds.length > 0;
    if (entry.action === StepUpRequestedEvent.type && flaggedAny && !told.has(userId)) told.set(userId, entry);
  }
  return [...told.values()];
}

function disconnectionEntries(tenantId: string, d: Disconnection): Audited[] {
  return d.perSession.map(([sessionId, sockets]) => ({
    event: new SessionDisconnectedEvent(tenantId, d.userId, sessionId, sockets, d.request.reason),
    entry: {
      actor: d.request.actor,
      target: { type: 'session', id: sessionId },
      request: d.request.request,
      details: { reason: d.request.reason, userId: d.userId, sockets, allNodesReached: d.allNodesReached },
    },
  }));
}

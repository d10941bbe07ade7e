import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/index.js';
import { SYSTEM_ACTOR } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import { TenantScope } from '../common/tenant-scope.js';
import { MfaPolicyStore } from '../policy/index.js';
import { type AuthenticatedSession, type Session, SessionsService } from '../sessions/index.js';
import { clientAppRefusal } from './connection-rules.js';
import { CONSOLE_SESSION_MFA, clientStandingOfConsoleSession } from './console-session-standing.js';
import { ENROLLMENT_REQUIRED } from './socket-events.js';
import { SessionDisconnectedEvent } from './events/disconnect.events.js';
import { kickOf, type SocketKick, tokenReplacedKick } from './socket-kick.js';

/** A socket's session and the token fingerprint it connected with. */
export interface HeldToken {
  sessionId: string;
  tokenFingerprint: string;
}

/** Sockets a re-check closed for a pending step-up: the kick of the Disconnect API had not reached them. */
export interface CaughtUp {
  tenantId: string;
  userId: string;
  sessionId: string;
  sockets: number;
  reason: string;
}

/** What a re-check owes a node's sockets. */
export interface OwedKicks {
  /** What a kick this node missed would have done: a revocation or expiry, a pending step-up, a replaced token. */
  missed: SocketKick[];
  /** Console sessions the client app's rules no longer let onto the live connection (see `clientAppRefusal`). */
  clientAppRules: SocketKick[];
}

const BATCH = 500;

/**
 * The sessions behind a node's sockets, read again from PostgreSQL: the kicks owed to sockets whose
 * session was revoked, expired or flagged for step-up while this node could not hear about it (Redis
 * down, a worker's kick lost with its process), and to console sessions whose user the client app's
 * rules now refuse (past its enrolment deadline since they connected: grace enforcement ends only the
 * sessions of the apps a policy enforces). Runs on a timer and whenever Redis comes back. The sessions
 * that may stay connected are marked active: an open app is use of its session, so it does not idle out
 * under a connected user (the absolute expiry still ends it).
 */
@Injectable()
export class SocketRecheck {
  constructor(
    private readonly sessions: SessionsService,
    private readonly policies: MfaPolicyStore,
    private readonly clock: Clock,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
  ) {}

  /** The kicks owed to sockets holding these tokens (a session may appear once per socket). */
  async kicksOwed(held: readonly HeldToken[]): Promise<OwedKicks> {
    const owedAll: OwedKicks = { missed: [], clientAppRules: [] };
    const now = this.clock.now();
    for (let i = 0; i < held.length; i += BATCH) {
      const batch = held.slice(i, i + BATCH);
      const ids = [...new Set(batch.map((h) => h.sessionId))];
      const sessions = await TenantScope.acrossTenants("a node's sockets belong to every tenant", () =>
        this.sessions.readByIds(ids, [CONSOLE_SESSION_MFA]),
      );
      const found = new Map(sessions.map((s) => [s.session.id, s]));
      const owed = new Map<string, SocketKick>();
      for (const { sessionId, tokenFingerprint } of batch) {
        const kick = kickOwed(sessionId, found.get(sessionId)?.session, tokenFingerprint, now);
        if (kick && !owed.has(sessionId)) owed.set(sessionId, kick);
      }
      owedAll.missed.push(...owed.values());
      // Still usable: sessions owed nothing, and those whose only debt is sockets on a replaced token.
      const usable = sessions.filter(({ session: { id } }) => owed.get(id)?.keep !== undefined || !owed.has(id));
      const refused = new Set<string>();
      for (const s of usable) {
        const kick = await this.clientAppKick(s, now);
        if (!kick) continue;
        refused.add(s.session.id);
        owedAll.clientAppRules.push(kick);
      }
      await this.sessions.recordActivity(usable.map((s) => s.session.id).filter((id) => !refused.has(id)));
    }
    return owedAll;
  }

  /** For a console session: the kick its user's standing under the client app's rules calls for, if any. */
  private async clientAppKick(found: AuthenticatedSession, now: Date): Promise<SocketKick | null> {
    if (found.session.app !== 'console') return null;
    const { tenantId } = found.session;
    // From this node's cache, as the handshake reads it.
    const { settings } = await TenantScope.run(tenantId, () =>
      this.policies.inForce(tenantId, found.tenant.mfaPolicyVersion),
    );
    const refusal = clientAppRefusal(found.session, clientStandingOfConsoleSession(found, settings, now));
    const ids = [found.session.id];
    if (refusal === 'step_up_required') return kickOf('step_up_required', ids, refusal);
    return refusal ? kickOf('session_revoked', ids, ENROLLMENT_REQUIRED) : null;
  }

  /**
   * The `SessionDisconnected` entries the Disconnect API could not write for sockets on nodes it did not
   * reach (`allNodesReached: false`), written by the node that closed them, one transaction per tenant.
   */
  async recordCaughtUp(closed: readonly CaughtUp[]): Promise<void> {
    const byTenant = new Map<string, CaughtUp[]>();
    for (const c of closed) byTenant.set(c.tenantId, [...(byTenant.get(c.tenantId) ?? []), c]);
    for (const [tenantId, list] of byTenant) {
      await this.uow.run((tx) =>
        this.audit.recordMany(
          tx,
          tenantId,
          list.map((c) => ({
            event: new SessionDisconnectedEvent(tenantId, c.userId, c.sessionId, c.sockets, c.reason),
            entry: {
              actor: SYSTEM_ACTOR,
              target: { type: 'session', id: c.sessionId },
              details: { reason: c.reason, userId: c.userId, sockets: c.sockets, closedBy: 're-check' },
            },
          })),
        ),
      );
    }
  }
}

function kickOwed(id: string, session: Session | undefined, heldFingerprint: string, now: Date): SocketKick | null {
  if (!session?.isActiveAt(now)) {
    return kickOf('session_revoked', [id], session?.revokedReason ?? 'expired');
  }
  if (session.stepUpRequiredAt) {
    return kickOf('step_up_required', [id], session.stepUpReason ?? 'step_up_required');
  }
  if (session.tokenFingerprint !== heldFingerprint) return tokenReplacedKick(id, session.tokenFingerprint);
  return null;
}

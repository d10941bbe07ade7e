import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { TenantScope } from '../common/tenant-scope.js';
import { MfaPolicyStore } from '../policy/index.js';
import { type Session, SessionsService } from '../sessions/index.js';
import { clientAppRefusal, connectionRefusal } from './connection-rules.js';
import { CONSOLE_SESSION_MFA, clientStandingOfConsoleSession } from './console-session-standing.js';
import type { ConnectRefusal } from './socket-events.js';

/** A refusal names the session when the token was one (for the record of who was refused). */
export type Admission =
  { admitted: true; session: Session } | { admitted: false; refusal: ConnectRefusal; session?: Session };

const refused = (refusal: ConnectRefusal, session?: Session): Admission =>
  session ? { admitted: false, refusal, session } : { admitted: false, refusal };

/**
 * The handshake check, run on every connection and every reconnection (never a cached "ok"): the
 * session is read from PostgreSQL, so a revocation or a step-up flag set on any node holds at once.
 */
@Injectable()
export class ConnectionAdmission {
  constructor(
    private readonly sessions: SessionsService,
    private readonly policies: MfaPolicyStore,
    private readonly clock: Clock,
  ) {}

  async admit(token: unknown): Promise<Admission> {
    if (typeof token !== 'string' || token.length > 512) return refused('unauthorized');
    // The factors of a console-bound session's user come with it, in the same query (see clientAppRefusal).
    const found = await this.sessions.authenticate(token, [CONSOLE_SESSION_MFA]);
    if (!found) return refused('unauthorized');
    const { session, tenant } = found;
    // The policy from this node's cache, checked against the version read with the session: a reconnecting
    // fleet costs the database one query per socket.
    const { settings } = await TenantScope.run(session.tenantId, () =>
      this.policies.inForce(session.tenantId, tenant.mfaPolicyVersion),
    );
    const now = this.clock.now();
    const refusal =
      connectionRefusal(session, settings, now) ??
      clientAppRefusal(session, clientStandingOfConsoleSession(found, settings, now));
    return refusal ? refused(refusal, session) : { admitted: true, session };
  }
}

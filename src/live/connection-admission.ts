import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { TenantScope } from '../common/tenant-scope.js';
import { MfaPolicyStore } from '../policy/index.js';
import { type Session, SessionsService } from '../sessions/index.js';
import { connectionRefusal } from './connection-rules.js';
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
    const session = await this.sessions.authenticate(token);
    if (!session) return refused('unauthorized');
    // No user lookup: a session row lives only as long as its user (the foreign key cascades), and a
    // reconnecting fleet should cost the database as little as it can.
    const { settings } = await TenantScope.run(session.tenantId, () => this.policies.current(session.tenantId));
    const refusal = connectionRefusal(session, settings, this.clock.now());
    return refusal ? refused(refusal, session) : { admitted: true, session };
  }
}

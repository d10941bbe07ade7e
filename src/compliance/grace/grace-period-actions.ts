import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../audit/index.js';
import { NO_REQUEST, SYSTEM_ACTOR } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { type Tx, UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { OutboxMessage } from '../../infra/outbox/outbox-message.entity.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { MfaPolicyStore } from '../../policy/index.js';
import type { GraceCandidate } from '../standings/grace-candidates.sql.js';
import { MfaStandings } from '../standings/mfa-standings.js';
import { SessionsService } from '../../sessions/index.js';
import { GracePeriodExpiredEvent } from '../events/grace-period-expired.event.js';
import { ENFORCED, MfaGraceNotice, reminderKind } from './mfa-grace-notice.entity.js';

/**
 * What the grace-period workers do to one user, each at most once per deadline: the notice row
 * (unique per user, kind and deadline) is inserted first, and only the run that inserts it goes on,
 * so duplicated or retried jobs, two sweeps or a sweep racing a deadline job change nothing twice.
 */
@Injectable()
export class GracePeriodActions {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxRelay,
    private readonly policies: MfaPolicyStore,
  ) {}

  /**
   * At the deadline: every session of the user is revoked (`grace_expired`) and they are e-mailed.
   * Re-checked inside the transaction, so a factor enrolled or a policy relaxed since the job was
   * planned wins. Returns whether this run enforced it.
   */
  enforce(tenantId: string, userId: string): Promise<boolean> {
    // A sweep walks every tenant; each user's enforcement happens inside the user's own.
    return TenantScope.run(tenantId, () => this.enforceInTenant(tenantId, userId));
  }

  private async enforceInTenant(tenantId: string, userId: string): Promise<boolean> {
    const now = this.clock.now();
    const outboxId = await this.uow.run(async (tx) => {
      const candidate = await new MfaStandings(tx.em).graceCandidate(tenantId, userId);
      if (!candidate || candidate.deadline > now) return null;
      const notice = await this.recordNotice(tx, candidate, ENFORCED, now);
      if (!notice) return null;
      // A session opened through an app the policy does not enforce was held to that app's rules only.
      const { settings } = await this.policies.current(tenantId, tx.em);
      const sessionsRevoked = await this.sessions.revokeAllForUser(tx, {
        tenantId,
        userId,
        onlyApps: settings.enforceOn,
        reason: 'grace_expired',
        actor: SYSTEM_ACTOR,
        request: NO_REQUEST,
      });
      const event = new GracePeriodExpiredEvent(tenantId, userId, candidate.deadline, sessionsRevoked);
      await this.audit.record(tx, event, {
        actor: SYSTEM_ACTOR,
        target: { type: 'user', id: userId },
        details: { deadline: candidate.deadline.toISOString(), sessionsRevoked },
      });
      return notice;
    });
    if (outboxId) await this.outbox.relayNow([outboxId]);
    return outboxId !== null;
  }

  /** A reminder that the deadline is `daysBefore` days away or less; false when it was sent already. */
  async remind(candidate: GraceCandidate, daysBefore: number): Promise<boolean> {
    const now = this.clock.now();
    const outboxId = await TenantScope.run(candidate.tenantId, () =>
      this.uow.run((tx) => this.recordNotice(tx, candidate, reminderKind(daysBefore), now)),
    );
    if (outboxId) await this.outbox.relayNow([outboxId]);
    return outboxId !== null;
  }

  /** The notice row and its e-mail's outbox row; null when this notice exists already. */
  private async recordNotice(tx: Tx, c: GraceCandidate, kind: string, now: Date): Promise<string | null> {
    const noticeId = await tx.em.getRepository(MfaGraceNotice).recordOnce({ ...c, kind }, now);
    if (!noticeId) return null;
    const outbox = new OutboxMessage({ tenantId: c.tenantId, kind: 'mfa_grace_notice', refId: noticeId, now });
    tx.em.persist(outbox);
    await tx.em.flush();
    return outbox.id;
  }
}

import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../audit/index.js';
import { NO_REQUEST, SYSTEM_ACTOR } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { type Tx, UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { OutboxMessage } from '../../infra/outbox/outbox-message.entity.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import type { GraceCandidate } from '../standings/grace-candidates.sql.js';
import { MfaStandings } from '../standings/mfa-standings.js';
import { SessionsService } from '../../sessions/index.js';
import { GracePeriodExpiredEvent } from '../events/grace-period-expired.event.js';
import { ENFORCED, MfaGraceNotice, reminderKind } from './mfa-grace-notice.entity.js';

/** A reminder a sweep found due: the nearest reminder day reached before the candidate's deadline. */
export interface DueReminder {
  candidate: GraceCandidate;
  daysBefore: number;
}

/** Reminders per transaction: a batch's notices commit together, in bounded transactions. */
const REMINDER_GROUP = 500;

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
  ) {}

  /**
   * At the deadline: every session of the user is revoked (`grace_expired`) and they are e-mailed.
   * Re-checked inside the transaction, so a factor enrolled or a policy relaxed since the job was
   * planned wins. Returns whether this run enforced it.
   */
  async enforce(tenantId: string, userId: string): Promise<boolean> {
    const outboxId = await this.commitEnforcement(tenantId, userId);
    if (outboxId) await this.outbox.relayNow([outboxId]);
    return outboxId !== null;
  }

  /**
   * `enforce` without relaying its e-mail: returns the id of the committed outbox row (null when
   * nothing was enforced), for the caller to relay together with others (a sweep relays per batch).
   * A crash before that relay delays the mail to the outbox sweep, as a crash after any commit does.
   */
  commitEnforcement(tenantId: string, userId: string): Promise<string | null> {
    // A sweep walks every tenant; each user's enforcement happens inside the user's own.
    return TenantScope.run(tenantId, () => this.enforceInTenant(tenantId, userId));
  }

  private enforceInTenant(tenantId: string, userId: string): Promise<string | null> {
    const now = this.clock.now();
    // One user a transaction: revoking sessions locks them and then appends to the tenant's audit
    // chain, as the request path does; a transaction of several users would lock the next user's
    // sessions while holding the chain head, the opposite order, and could deadlock with a request.
    return this.uow.run(async (tx) => {
      const candidate = await new MfaStandings(tx.em).graceCandidate(tenantId, userId);
      if (!candidate || candidate.deadline > now) return null;
      const notice = await this.recordNotice(tx, candidate, ENFORCED, now);
      if (!notice) return null;
      // A session opened through an app the policy does not enforce was held to that app's rules only.
      const sessionsRevoked = await this.sessions.revokeAllForUser(tx, {
        tenantId,
        userId,
        onlyApps: candidate.enforceOn,
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
  }

  /**
   * Reminders that the deadline is `daysBefore` days away or less, without relaying their e-mails: per
   * tenant, one transaction (per REMINDER_GROUP) records the notices in one statement and their e-mails'
   * outbox rows in another.
   * Only the notices that statement inserted get a row, so a reminder sent already (by an earlier run,
   * or a sweep racing this one) is not sent again. Returns the ids of the committed outbox rows.
   */
  async commitReminders(due: readonly DueReminder[]): Promise<string[]> {
    const now = this.clock.now();
    const byTenant = new Map<string, DueReminder[]>();
    for (const reminder of due) {
      const group = byTenant.get(reminder.candidate.tenantId);
      if (group) group.push(reminder);
      else byTenant.set(reminder.candidate.tenantId, [reminder]);
    }
    const outboxIds: string[] = [];
    for (const [tenantId, reminders] of byTenant) {
      for (let i = 0; i < reminders.length; i += REMINDER_GROUP) {
        const group = reminders.slice(i, i + REMINDER_GROUP);
        const ids = await TenantScope.run(tenantId, () =>
          this.uow.run((tx) => this.recordReminders(tx, tenantId, group, now)),
        );
        outboxIds.push(...ids);
      }
    }
    return outboxIds;
  }

  private async recordReminders(tx: Tx, tenantId: string, due: readonly DueReminder[], now: Date): Promise<string[]> {
    const notices = due.map(({ candidate, daysBefore }) => ({ ...candidate, kind: reminderKind(daysBefore) }));
    const recorded = await tx.em.getRepository(MfaGraceNotice).recordEach(notices, now);
    const rows = recorded.map(({ id }) => new OutboxMessage({ tenantId, kind: 'mfa_grace_notice', refId: id, now }));
    tx.em.persist(rows);
    await tx.em.flush();
    return rows.map((row) => row.id);
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

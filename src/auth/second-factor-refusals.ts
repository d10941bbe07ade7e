import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import type { RequestMeta } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { type Tx, UnitOfWork } from '../common/cqrs/unit-of-work.js';
import type { DomainError } from '../common/errors/domain-error.js';
import { OutboxMessage } from '../infra/outbox/outbox-message.entity.js';
import { OutboxRelay } from '../infra/outbox/outbox-relay.js';
import type { ChallengeSubject } from './challenge-methods/challenge-method.js';
import { FactorLockedEvent } from './events/factor-locked.event.js';
import { MfaFailureStreaks } from './mfa-failure-streaks.js';

export interface SecondFactorRefusal {
  subject: ChallengeSubject;
  /** The audit action of the refused check (`MfaChallengeFailed`, `StepUpFailed`). */
  action: string;
  target: { type: string; id: string };
  method: string;
  error: DomainError;
  request: RequestMeta;
}

/**
 * Records a refused second-factor check (a login challenge, a step-up) in a transaction of its own:
 * the refusal's audit entry and, for a wrong code, one more failure on the user's streak. The failure
 * that locks the streak also records `FactorLocked` and an outbox row that e-mails the user, in that
 * same transaction, so the lock, its audit entry and the notice exist together or not at all.
 */
@Injectable()
export class SecondFactorRefusals {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly streaks: MfaFailureStreaks,
    private readonly outbox: OutboxRelay,
  ) {}

  async record({ subject, action, target, method, error, request }: SecondFactorRefusal): Promise<void> {
    const { tenantId, userId } = subject;
    const noticeId = await this.uow.run(async (tx) => {
      const now = this.clock.now();
      const streak = error.code === 'mfa_code_invalid' ? await this.streaks.recordFailure(tx.em, subject, now) : null;
      await this.audit.append(tx.em, {
        tenantId,
        action,
        outcome: 'failure',
        actor: { type: 'user', id: userId },
        target,
        request,
        details: {
          method,
          code: error.code,
          reason: error.message,
          ...(streak ? { consecutiveFailures: streak.failures } : {}),
        },
      });
      return streak?.lockedNow ? this.recordLock(tx, subject, { failures: streak.failures, request, now }) : null;
    });
    if (noticeId) await this.outbox.relayNow([noticeId]);
  }

  /**
   * One more failure on the streak for a wrong code whose refusal the caller audits itself (a code
   * offered to confirm a sensitive change), with the lock's entry and notice when it locks.
   */
  async countWrongCode(subject: ChallengeSubject, request: RequestMeta): Promise<void> {
    const noticeId = await this.uow.run(async (tx) => {
      const now = this.clock.now();
      const streak = await this.streaks.recordFailure(tx.em, subject, now);
      return streak.lockedNow ? this.recordLock(tx, subject, { failures: streak.failures, request, now }) : null;
    });
    if (noticeId) await this.outbox.relayNow([noticeId]);
  }

  private async recordLock(
    tx: Tx,
    { tenantId, userId }: ChallengeSubject,
    { failures, request, now }: { failures: number; request: RequestMeta; now: Date },
  ) {
    const notice = new OutboxMessage({ tenantId, kind: 'mfa_locked_notice', refId: userId, now });
    tx.em.persist(notice);
    await tx.em.flush();
    await this.audit.record(tx, new FactorLockedEvent(tenantId, userId, failures), {
      actor: { type: 'user', id: userId },
      target: { type: 'user', id: userId },
      request,
      details: { consecutiveFailures: failures },
    });
    return notice.id;
  }
}

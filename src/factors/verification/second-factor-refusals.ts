import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/index.js';
import type { RequestMeta } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { type Tx, UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import type { DomainError } from '../../common/errors/domain-error.js';
import { OutboxMessage } from '../../infra/outbox/outbox-message.entity.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import type { ChallengeSubject } from './challenge-subject.js';
import { FactorLockedEvent } from '../events/factor-locked.event.js';
import { SecondFactorRefusedEvent } from '../events/second-factor-refused.event.js';
import { MfaFailureStreaks } from './mfa-failure-streaks.js';
import { RefusalAuditGate } from './refusal-audit-gate.js';

export interface SecondFactorRefusal {
  subject: ChallengeSubject;
  /** The audit action of the refused check (`MfaChallengeFailed`, `StepUpFailed`, `EmailCodeRefused`). */
  action: string;
  /** The challenge or session the attempt was made on: its window is one of the two audit windows. */
  target: { type: string; id: string };
  method: string;
  error: DomainError;
  request: RequestMeta;
}

/**
 * Records a refused second-factor attempt (a login challenge, a step-up, an e-mailed code) in a
 * transaction of its own. A wrong code is a guess: it adds one failure to the user's streak and is
 * always audited (the limits bound how many there can be). The failure that locks the streak also
 * records `FactorLocked` and an outbox row that e-mails the user, in that same transaction, so the
 * lock, its audit entry and the notice exist together or not at all. Every other refusal (a limit,
 * a wait, an expired challenge, a code already used) is audited only when it is the first of its
 * window (RefusalAuditGate); every refusal is counted in the metrics.
 */
@Injectable()
export class SecondFactorRefusals {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly log: AuditLog,
    private readonly streaks: MfaFailureStreaks,
    private readonly outbox: OutboxRelay,
    private readonly gate: RefusalAuditGate,
    private readonly events: EventBus,
  ) {}

  async record(refusal: SecondFactorRefusal): Promise<void> {
    const { subject, target, error } = refusal;
    const guess = error.code === 'mfa_code_invalid';
    const audited = guess || (await this.gate.firstInWindow(subject.userId, target.id));
    if (audited) await this.audit(refusal, guess);
    this.counted(refusal, audited);
  }

  /** A refusal that never touches the audit log (a spent challenge): the metrics only. */
  counted({ subject, action, error }: SecondFactorRefusal, audited = false): void {
    this.events.publish(new SecondFactorRefusedEvent(subject.tenantId, subject.userId, action, error.code, audited));
  }

  private async audit({ subject, action, target, method, error, request }: SecondFactorRefusal, guess: boolean) {
    const { tenantId, userId } = subject;
    const noticeId = await this.uow.run(async (tx) => {
      const now = this.clock.now();
      const streak = guess ? await this.streaks.recordFailure(tx.em, subject, now) : null;
      await this.log.append(tx.em, {
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
          ...(typeof error.extra.debug === 'string' ? { refusal: error.extra.debug } : {}),
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
    await this.log.record(tx, new FactorLockedEvent(tenantId, userId, failures), {
      actor: { type: 'user', id: userId },
      target: { type: 'user', id: userId },
      request,
      details: { consecutiveFailures: failures },
    });
    return notice.id;
  }
}

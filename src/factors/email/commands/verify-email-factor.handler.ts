import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../../audit/audit-log.js';
import { AuditedAttempt } from '../../../audit/audited.js';
import type { Actor, RequestMeta } from '../../../common/actor.js';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import type { VerifiedFactor } from '../../commands/verify-factor.command.js';
import { FACTOR_VERIFICATION_FAILED, FactorEnrolledEvent } from '../../events/factor.events.js';
import { Factor } from '../../factor.entity.js';
import { mfaCodeInvalid } from '../../factors.errors.js';
import { EmailCodes, type MatchedEmailCode } from '../email-codes.js';
import { VerifyEmailFactorCommand } from './verify-email-factor.command.js';

class LostRace extends Error {}

@CommandHandler(VerifyEmailFactorCommand)
export class VerifyEmailFactorHandler implements ICommandHandler<VerifyEmailFactorCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly codes: EmailCodes,
  ) {}

  async execute({
    tenantId,
    userId,
    factorId,
    code,
    actor,
    request,
  }: VerifyEmailFactorCommand): Promise<VerifiedFactor> {
    const now = this.clock.now();
    const em = this.uow.reader();
    const factor = await em.getRepository(Factor).findForUser(tenantId, userId, factorId);
    const verifiable = factor?.type === 'email' && factor.isVerifiableAt(now) ? factor : null;
    const matched = await this.codes.match(em, verifiable, 'enrollment', code, now);
    if (verifiable && matched && (await this.activate(verifiable, matched, now, actor, request))) {
      return { id: verifiable.id, type: 'email', status: 'active' };
    }
    const error = mfaCodeInvalid();
    const refusal = !factor ? 'unknown_factor' : !verifiable ? 'not_pending_or_expired' : 'wrong_or_spent_code';
    await this.attempts.recordFailure(
      {
        tenantId,
        action: FACTOR_VERIFICATION_FAILED,
        actor,
        target: { type: 'factor', id: factorId },
        request,
        details: { factorType: 'email', refusal },
      },
      error,
    );
    throw error;
  }

  /** Uses the code and activates the factor, with its audit entry, in one transaction; false if a race was lost. */
  private async activate(
    factor: Factor,
    matched: MatchedEmailCode,
    now: Date,
    actor: Actor,
    request: RequestMeta,
  ): Promise<boolean> {
    try {
      return await this.uow.run(async (tx) => {
        if (!(await this.codes.activate(tx, factor, matched, now))) throw new LostRace(); // rolls back the code too
        await this.audit.record(tx, new FactorEnrolledEvent(factor.tenantId, factor.userId, factor.id, 'email'), {
          actor,
          target: { type: 'factor', id: factor.id },
          request,
          details: { factorType: 'email' },
        });
        return true;
      });
    } catch (error) {
      if (error instanceof LostRace) return false;
      throw error;
    }
  }
}

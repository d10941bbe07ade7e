import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/audit-log.js';
import { AuditedAttempt } from '../../audit/audited.js';
import type { Actor, RequestMeta } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { FACTOR_VERIFICATION_FAILED, FactorEnrolledEvent } from '../events/factor.events.js';
import { Factor } from '../factor.entity.js';
import { mfaCodeInvalid } from '../factors.errors.js';
import { TotpVerifier } from '../totp/totp-verifier.js';
import { type VerifiedFactor, VerifyFactorCommand } from './verify-factor.command.js';

@CommandHandler(VerifyFactorCommand)
export class VerifyFactorHandler implements ICommandHandler<VerifyFactorCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly totp: TotpVerifier,
  ) {}

  async execute({ tenantId, userId, factorId, code, actor, request }: VerifyFactorCommand): Promise<VerifiedFactor> {
    const now = this.clock.now();
    const factor = await this.uow.reader().getRepository(Factor).findForUser(tenantId, userId, factorId);
    const verifiable = factor?.isVerifiableAt(now) ? factor : null;
    // Computed whatever the factor's state, so refusals for different reasons take the same time.
    const step = this.totp.match(verifiable, code, now);
    if (verifiable && step !== null && (await this.activate(verifiable, step, now, actor, request))) {
      return { id: verifiable.id, type: verifiable.type, status: 'active' };
    }
    const error = mfaCodeInvalid();
    await this.attempts.recordFailure(
      {
        tenantId,
        action: FACTOR_VERIFICATION_FAILED,
        actor,
        target: { type: 'factor', id: factorId },
        request,
        details: { refusal: refusalOf(factor, verifiable, step) },
      },
      error,
    );
    throw error;
  }

  /** Accepts the step and activates the factor, with its audit entry, in one transaction. */
  private activate(factor: Factor, step: number, now: Date, actor: Actor, request: RequestMeta): Promise<boolean> {
    return this.uow.run(async (tx) => {
      if (!(await this.totp.consume(tx, factor, step, now))) return false;
      await this.audit.record(tx, new FactorEnrolledEvent(factor.tenantId, factor.userId, factor.id, factor.type), {
        actor,
        target: { type: 'factor', id: factor.id },
        request,
        details: { factorType: factor.type, label: factor.label },
      });
      return true;
    });
  }
}

/** Why a verification was refused: for the audit log only, never for the caller. */
function refusalOf(factor: Factor | null, verifiable: Factor | null, step: number | null): string {
  if (!factor) return 'unknown_factor';
  if (factor.status !== 'pending') return 'not_pending';
  if (!verifiable) return 'expired';
  return step === null ? 'wrong_code' : 'step_already_used';
}

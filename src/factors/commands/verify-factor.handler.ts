import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog, SecurityNotices } from '../../audit/index.js';
import type { Actor, RequestMeta } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { BackupCodes } from '../backup-codes/backup-codes.js';
import { EmailCodes } from '../email/email-codes.js';
import { FACTOR_VERIFICATION_FAILED, FactorEnrolledEvent } from '../events/factor.events.js';
import { Factor, type FactorType } from '../factor.entity.js';
import { type AuthMethod, Session, SessionsService } from '../../sessions/index.js';
import { codeAlreadyUsed, mfaCodeInvalid } from '../factors.errors.js';
import { unauthorized } from '../../common/errors/domain-error.js';
import { EnrolmentProof } from '../enrolment-proof.js';
import { lockUserFactors } from '../user-factors-lock.js';
import { TotpVerifier } from '../totp/totp-verifier.js';
import { replaceFactorsAfterReset } from '../mfa-reset/mfa-reset-completion.js';
import { MfaResetCompletedEvent } from '../mfa-reset/mfa-reset.events.js';
import { PasskeyRegistration } from '../webauthn/passkey-registration.js';
import { type FactorProof, type FactorVerification, VerifyFactorCommand } from './verify-factor.command.js';

@CommandHandler(VerifyFactorCommand)
export class VerifyFactorHandler implements ICommandHandler<VerifyFactorCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly totp: TotpVerifier,
    private readonly backupCodes: BackupCodes,
    private readonly emailCodes: EmailCodes,
    private readonly proofs: EnrolmentProof,
    private readonly sessions: SessionsService,
    private readonly notices: SecurityNotices,
    private readonly passkeys: PasskeyRegistration,
  ) {}

  async execute({
    tenantId,
    userId,
    factorId,
    proof: answer,
    actor,
    request,
    sessionId,
  }: VerifyFactorCommand): Promise<FactorVerification> {
    const now = this.clock.now();
    const factor = await this.uow.reader().getRepository(Factor).findForUser(tenantId, userId, factorId);
    const verifiable = factor?.isVerifiableAt(now) ? factor : null;
    // Computed whatever the factor's state, so refusals for different reasons take the same time.
    const { proof, refusal: why } = await this.match(factor, verifiable, answer, now);
    const attempt = {
      tenantId,
      action: FACTOR_VERIFICATION_FAILED,
      actor,
      target: { type: 'factor', id: factorId },
      request,
    };
    const activated =
      verifiable && proof
        ? await this.attempts.run(attempt, () => this.activate(verifiable, proof, now, { actor, request, sessionId }))
        : null;
    if (verifiable && activated) {
      const factor = { id: verifiable.id, type: verifiable.type, status: 'active' as const };
      return {
        factor,
        ...(activated.backupCodes ? { backupCodes: activated.backupCodes } : {}),
        ...(activated.token ? { token: activated.token } : {}),
      };
    }
    const refusal = why ?? refusalOf(factor, verifiable, proof);
    // A double click: the code was right and the factor is active; not a guess, so say so.
    const error = refusal === 'code_already_used' ? codeAlreadyUsed() : mfaCodeInvalid();
    await this.attempts.recordFailure({ ...attempt, details: { refusal } }, error);
    throw error;
  }

  /**
   * The proof checked against the factor's kind: a TOTP step, the e-mailed enrolment code, or a passkey's
   * registration; with the passkey ceremony's own reason for a refusal.
   */
  private async match(
    factor: Factor | null,
    verifiable: Factor | null,
    answer: FactorProof,
    now: Date,
  ): Promise<{ proof: ActivationProof | null; refusal?: string }> {
    if ('credential' in answer) {
      if (factor?.type !== 'webauthn' || !verifiable) return { proof: null };
      const checked = await this.passkeys.verify(this.uow.reader(), verifiable, answer.credential, now);
      if ('refusal' in checked) return { proof: null, refusal: checked.refusal };
      return { proof: (tx: Tx) => this.passkeys.complete(tx, verifiable, checked.passkey, now) };
    }
    const { code } = answer;
    if (factor?.type === 'email') {
      const matched = await this.emailCodes.match(this.uow.reader(), verifiable, 'enrollment', code, now);
      return {
        proof: verifiable && matched ? (tx: Tx) => this.emailCodes.activate(tx, verifiable, matched, now) : null,
      };
    }
    // Never a match for a passkey (proven by its credential alone), at a TOTP check's cost.
    const step = this.totp.match(verifiable, code, now);
    return { proof: verifiable && step !== null ? (tx: Tx) => this.totp.consume(tx, verifiable, step, now) : null };
  }

  /** The first factor verified through an admin's reset replaces the user's old ones (audited). */
  private async completeReset(
    tx: Tx,
    factor: Factor,
    resetId: string,
    { actor, request, now }: { actor: Actor; request: RequestMeta; now: Date },
  ) {
    const { tenantId, userId } = factor;
    const replaced = await replaceFactorsAfterReset(tx, { tenantId, userId, keptFactorId: factor.id, resetId, now });
    return this.audit.record(tx, new MfaResetCompletedEvent(tenantId, userId, resetId, factor.id), {
      actor,
      target: { type: 'user', id: userId },
      request,
      details: { resetId, factorId: factor.id, factorType: factor.type, ...replaced },
    });
  }

  /**
   * Accepts the step and activates the factor, with its audit entry, in one transaction; null when
   * the step was lost. The user's first active factor also gets the first backup codes, in the same
   * transaction, so an activation never commits without them; the session the code was entered in
   * records the factor's method (a degraded session is whole again), and gets a new token if that
   * raised it to aal 2. Every other session of the user ends: a session opened with less than the
   * user now has (a password-only one, or a thief's) must not outlive the new factor.
   */
  private activate(
    factor: Factor,
    proof: ActivationProof,
    now: Date,
    { actor, request, sessionId }: { actor: Actor; request: RequestMeta; sessionId: string },
  ): Promise<{ backupCodes?: string[]; token?: string } | null> {
    const { tenantId, userId } = factor;
    return this.uow.run(async (tx) => {
      await lockUserFactors(tx, userId);
      // Every live session of the user, locked in id order as any revocation of them locks them, so a
      // concurrent password change cannot deadlock with the others' revocation below.
      const live = await tx.em.getRepository(Session).lockLiveForUser(tenantId, userId, now);
      const session = live.find((s) => s.id === sessionId);
      if (!session?.isActiveAt(now)) throw unauthorized();
      // The code first: the losers of a race for it learn that, not that the winner's factor now needs proof.
      if (!(await proof(tx))) return null;
      await this.proofs.assertMayActivate(tx.em, session, factor.id, now);
      const reset = session.mfaResetId
        ? await this.completeReset(tx, factor, session.mfaResetId, { actor, request, now })
        : null;
      const aalBefore = session.aal;
      session.recordFactorProven(AMR_OF[factor.type]);
      const token = session.aal > aalBefore ? await this.sessions.rotateToken(tx, session) : undefined;
      const backupCodes = await this.backupCodes.issueIfFirstFactor(tx, factor, now, { actor, request });
      const sessionsEnded = await this.sessions.revokeAllForUser(tx, {
        tenantId,
        userId,
        exceptSessionId: session.id,
        reason: 'factor_enrolled',
        actor,
        request,
      });
      const enrolled = await this.audit.record(tx, new FactorEnrolledEvent(tenantId, userId, factor.id, factor.type), {
        actor,
        target: { type: 'factor', id: factor.id },
        request,
        details: { factorType: factor.type, label: factor.label, sessionsEnded, tokenRotated: token !== undefined },
      });
      // One mail per change: a reset's completion says the new factor replaced the old ones.
      await this.notices.tell(tx, reset ?? enrolled, userId);
      return { backupCodes, token };
    });
  }
}

const AMR_OF: Record<FactorType, AuthMethod> = { totp: 'otp', email: 'email', webauthn: 'webauthn' };

/** Uses the matched code up and activates the factor inside the transaction; false when a race was lost. */
type ActivationProof = (tx: Tx) => Promise<boolean>;

/** Why a verification was refused: for the audit log only, never for the caller. */
function refusalOf(factor: Factor | null, verifiable: Factor | null, proof: ActivationProof | null): string {
  if (!factor) return 'unknown_factor';
  if (factor.status !== 'pending') return 'not_pending';
  if (!verifiable) return 'expired';
  return proof === null ? 'wrong_code' : 'code_already_used';
}

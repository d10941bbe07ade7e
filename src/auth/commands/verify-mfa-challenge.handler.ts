import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/audit-log.js';
import { AuditedAttempt } from '../../audit/audited.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError, notFound } from '../../common/errors/domain-error.js';
import { Factor } from '../../factors/factor.entity.js';
import { mfaCodeInvalid } from '../../factors/factors.errors.js';
import { TotpVerifier } from '../../factors/totp/totp-verifier.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { LoginSucceededEvent } from '../events/login.events.js';
import { MFA_CHALLENGE_FAILED, MfaChallengeSucceededEvent } from '../events/mfa-challenge.events.js';
import { MfaChallenge } from '../mfa-challenge.entity.js';
import { MfaVerificationThrottle } from '../mfa-verification-throttle.js';
import { VerifyMfaChallengeCommand } from './verify-mfa-challenge.command.js';

const challengeExpired = () => new DomainError('challenge_expired', 'This sign-in challenge has expired or was used');

@CommandHandler(VerifyMfaChallengeCommand)
export class VerifyMfaChallengeHandler implements ICommandHandler<VerifyMfaChallengeCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly totp: TotpVerifier,
    private readonly sessions: SessionsService,
    private readonly throttle: MfaVerificationThrottle,
  ) {}

  async execute({ challengeId, input, request }: VerifyMfaChallengeCommand) {
    const now = this.clock.now();
    const challenge = await this.uow.reader().findOne(MfaChallenge, { id: challengeId });
    if (!challenge) throw notFound('Challenge');
    const { tenantId, userId } = challenge;
    const actor = { type: 'user' as const, id: userId };
    const target = { type: 'mfa_challenge', id: challenge.id };
    const attempt = {
      tenantId,
      action: MFA_CHALLENGE_FAILED,
      actor,
      target,
      request,
      details: { method: input.method },
    };
    return this.attempts.run(attempt, async () => {
      if (!challenge.isOpenAt(now)) throw challengeExpired();
      await this.throttle.admit(challenge.id, userId);
      const matched = await this.match(challenge, input, now);
      const opened = await this.uow.run(async (tx) => {
        // The step and the challenge are each used up by one conditional UPDATE: of concurrent
        // verifications only one wins both, and a replayed code or a spent challenge rolls back.
        if (!(await this.totp.consume(tx, matched.factor, matched.step, now))) throw mfaCodeInvalid();
        if (!(await tx.em.getRepository(MfaChallenge).consume(challenge, now))) throw challengeExpired();
        const session = await this.sessions.open(tx, { tenantId, userId, amr: ['pwd', 'otp'], request });
        const event = new MfaChallengeSucceededEvent(tenantId, userId, challenge.id, input.method, session.session.id);
        await this.audit.record(tx, event, {
          actor,
          target,
          request,
          details: { method: input.method, factorId: matched.factor.id, sessionId: session.session.id },
        });
        tx.publish(new LoginSucceededEvent(tenantId, userId, session.session.id));
        return session;
      });
      await this.throttle.succeeded(userId);
      return opened;
    });
  }

  /** The active TOTP factor the code matches, checking every factor so failures take the same time. */
  private async match(challenge: MfaChallenge, input: VerifyMfaChallengeCommand['input'], now: Date) {
    const offered = challenge.methods.includes(input.method) && input.method === 'totp';
    const factors = offered
      ? await this.uow
          .reader()
          .find(Factor, { tenantId: challenge.tenantId, userId: challenge.userId, status: 'active', type: 'totp' })
      : [];
    let matched: { factor: Factor; step: number } | null = null;
    for (const factor of factors.length ? factors : [null]) {
      const step = this.totp.match(factor, input.code, now);
      if (factor && step !== null && !matched) matched = { factor, step };
    }
    if (!matched) throw mfaCodeInvalid();
    return matched;
  }
}

import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/audit-log.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError, notFound } from '../../common/errors/domain-error.js';
import { mfaCodeInvalid } from '../../factors/factors.errors.js';
import { RememberedDevices } from '../../sessions/remembered-devices/remembered-devices.js';
import { MfaPolicyStore } from '../../policy/mfa-policy-store.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { ChallengeMethods } from '../challenge-methods/challenge-methods.js';
import { LoginSucceededEvent } from '../events/login.events.js';
import { MFA_CHALLENGE_FAILED, MfaChallengeSucceededEvent } from '../events/mfa-challenge.events.js';
import { MfaChallenge } from '../mfa-challenge.entity.js';
import { MfaFailureStreaks } from '../mfa-failure-streaks.js';
import { MfaVerificationThrottle } from '../mfa-verification-throttle.js';
import { SecondFactorRefusals } from '../second-factor-refusals.js';
import { VerifyMfaChallengeCommand } from './verify-mfa-challenge.command.js';

const challengeExpired = () => new DomainError('challenge_expired', 'This sign-in challenge has expired or was used');

@CommandHandler(VerifyMfaChallengeCommand)
export class VerifyMfaChallengeHandler implements ICommandHandler<VerifyMfaChallengeCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly methods: ChallengeMethods,
    private readonly sessions: SessionsService,
    private readonly throttle: MfaVerificationThrottle,
    private readonly streaks: MfaFailureStreaks,
    private readonly devices: RememberedDevices,
    private readonly refusals: SecondFactorRefusals,
    private readonly policies: MfaPolicyStore,
  ) {}

  async execute({ challengeId, input, request }: VerifyMfaChallengeCommand) {
    const now = this.clock.now();
    const challenge = await this.uow.reader().findOne(MfaChallenge, { id: challengeId });
    if (!challenge) throw notFound('Challenge');
    const { tenantId, userId } = challenge;
    const subject = { tenantId, userId };
    try {
      if (!challenge.isOpenAt(now)) throw challengeExpired();
      await this.throttle.admit(challenge.id, userId);
      await this.streaks.assertMayTry(this.uow.reader(), subject, now);
      const verifier = challenge.methods.includes(input.method) ? this.methods.get(input.method) : undefined;
      const matched = verifier ? await verifier.match(this.uow.reader(), subject, input.code, now) : null;
      if (!verifier || !matched) throw mfaCodeInvalid();
      const opened = await this.uow.run(async (tx) => {
        // The challenge and the code are each used up by one conditional UPDATE: of concurrent
        // verifications only one wins both, and a replayed code or a spent challenge rolls back.
        // The challenge first: the losers of a race stop here, before any code (whose use may be
        // audited) is touched, so concurrent answers never lock the audit chain in different orders.
        if (!(await tx.em.getRepository(MfaChallenge).consume(challenge, now))) throw challengeExpired();
        if (!(await matched.consume(tx, now))) throw mfaCodeInvalid();
        await this.streaks.recordSuccess(tx.em, subject);
        const app = challenge.app && challenge.appId ? { id: challenge.appId, kind: challenge.app } : null;
        const session = await this.sessions.open(tx, { tenantId, userId, amr: ['pwd', verifier.amr], request, app });
        const event = new MfaChallengeSucceededEvent(tenantId, userId, challenge.id, input.method, session.session.id);
        await this.audit.record(tx, event, {
          actor: { type: 'user', id: userId },
          target: { type: 'mfa_challenge', id: challenge.id },
          request,
          details: { method: input.method, matchedId: matched.id, sessionId: session.session.id },
        });
        tx.publish(new LoginSucceededEvent(tenantId, userId, session.session.id));
        const days = input.rememberDevice && (await this.policies.current(tenantId, tx.em)).settings.rememberDeviceDays;
        const remembered = days ? await this.devices.remember(tx, subject, { now, days, request }) : null;
        const device = remembered && { token: remembered.token, expiresAt: remembered.device.expiresAt };
        return { ...session, ...(device ? { device } : {}) };
      });
      await this.throttle.succeeded(userId);
      return opened;
    } catch (error) {
      if (error instanceof DomainError) {
        const target = { type: 'mfa_challenge', id: challenge.id };
        await this.refusals.record({
          subject,
          action: MFA_CHALLENGE_FAILED,
          target,
          method: input.method,
          error,
          request,
        });
      }
      throw error;
    }
  }
}

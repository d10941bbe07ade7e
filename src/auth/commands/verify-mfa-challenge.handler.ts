import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/index.js';
import type { RequestMeta } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError, notFound } from '../../common/errors/domain-error.js';
import {
  codeAlreadyUsed,
  mfaCodeInvalid,
  MfaFailureStreaks,
  MfaVerificationThrottle,
  SecondFactorRefusals,
} from '../../factors/index.js';
import { RememberedDevices, SessionsService } from '../../sessions/index.js';
import { MfaPolicyStore } from '../../policy/index.js';
import { assertChallengeBound, challengeExpired } from '../challenge-binding.js';
import { ChallengeMethods } from '../challenge-methods/challenge-methods.js';
import { LoginSucceededEvent } from '../events/login.events.js';
import { MFA_CHALLENGE_FAILED, MfaChallengeSucceededEvent } from '../events/mfa-challenge.events.js';
import { MfaChallenge } from '../mfa-challenge.entity.js';
import { VerifyMfaChallengeCommand } from './verify-mfa-challenge.command.js';

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
    const challenge = await this.uow.reader().getRepository(MfaChallenge).findByIdAcrossTenants(challengeId);
    if (!challenge) throw notFound('Challenge');
    return TenantScope.run(challenge.tenantId, () => this.answer(challenge, input, request));
  }

  private async answer(challenge: MfaChallenge, input: VerifyMfaChallengeCommand['input'], request: RequestMeta) {
    const now = this.clock.now();
    const { tenantId, userId } = challenge;
    const subject = { tenantId, userId };
    const refusal = (error: DomainError) => ({
      subject,
      action: MFA_CHALLENGE_FAILED,
      target: { type: 'mfa_challenge', id: challenge.id },
      method: input.method,
      error,
      request,
    });
    // A spent challenge is dead for good: answered before any limit, streak or audit entry, so
    // replaying it until the purge costs one primary-key read and floods nothing.
    if (challenge.isSpent) {
      this.refusals.counted(refusal(challengeExpired()));
      throw challengeExpired();
    }
    try {
      if (!challenge.isOpenAt(now)) throw challengeExpired();
      await assertChallengeBound(this.uow.reader(), challenge);
      await this.throttle.admit(challenge.id, userId);
      const { streak } = await this.streaks.assertMayTry(this.uow.reader(), subject, now);
      const verifier = challenge.methods.includes(input.method) ? this.methods.get(input.method) : undefined;
      const site = { challengeId: challenge.id };
      const matched = verifier ? await verifier.match(this.uow.reader(), subject, input, now, site, request) : null;
      if (!verifier || !matched) throw mfaCodeInvalid();
      const opened = await this.uow.run(async (tx) => {
        // The challenge and the code are each used up by one conditional UPDATE: of concurrent
        // verifications only one wins both, and a replayed code or a spent challenge rolls back.
        // The challenge first: the losers of a race stop here, before any code (whose use may be
        // audited) is touched, so concurrent answers never lock the audit chain in different orders.
        // The code matched and the challenge was open when read: only a concurrent answer can have
        // spent it (a double click), so the loser is told its code is used, not counted as a failure.
        if (!(await tx.em.getRepository(MfaChallenge).consume(challenge, now))) throw codeAlreadyUsed();
        await assertChallengeBound(tx.em, challenge, true);
        if (!(await matched.consume(tx, now))) throw codeAlreadyUsed();
        if (streak) await this.streaks.recordSuccess(tx.em, subject);
        const app = challenge.app && challenge.appId ? { id: challenge.appId, kind: challenge.app } : null;
        // A code that no longer counts for this user, past their deadline: it opens only the set-up.
        const overdue = challenge.setUpMethods;
        const session = await this.sessions.open(tx, {
          tenantId,
          userId,
          amr: ['pwd', verifier.amr],
          request,
          app,
          userVerified: matched.userVerified === true,
          enrollmentOnly: overdue !== null,
        });
        const event = new MfaChallengeSucceededEvent(tenantId, userId, challenge.id, input.method, session.session.id);
        await this.audit.record(tx, event, {
          actor: { type: 'user', id: userId },
          target: { type: 'mfa_challenge', id: challenge.id },
          request,
          details: { method: input.method, matchedId: matched.id, sessionId: session.session.id },
        });
        if (overdue) return { ...session, enrollmentRequired: { allowedMethods: overdue } };
        tx.publish(new LoginSucceededEvent(tenantId, userId, session.session.id));
        const days = input.rememberDevice && (await this.policies.current(tenantId, tx.em)).settings.rememberDeviceDays;
        const remembered = days ? await this.devices.remember(tx, subject, { now, days, request }) : null;
        const device = remembered && { token: remembered.token, expiresAt: remembered.device.expiresAt };
        return { ...session, ...(device ? { device } : {}) };
      });
      await this.throttle.succeeded(userId);
      return opened;
    } catch (error) {
      if (error instanceof DomainError) await this.refusals.record(refusal(error));
      throw error;
    }
  }
}

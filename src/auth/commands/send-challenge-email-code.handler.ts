import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError, notFound } from '../../common/errors/domain-error.js';
import { EmailCodes, Factor, SecondFactorRefusals } from '../../factors/index.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { assertChallengeBound, challengeExpired } from '../challenge-binding.js';
import { EMAIL_CODE_REFUSED } from '../events/mfa-challenge.events.js';
import { MfaChallenge } from '../mfa-challenge.entity.js';
import { SendChallengeEmailCodeCommand } from './send-challenge-email-code.command.js';

@CommandHandler(SendChallengeEmailCodeCommand)
export class SendChallengeEmailCodeHandler implements ICommandHandler<SendChallengeEmailCodeCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly codes: EmailCodes,
    private readonly outbox: OutboxRelay,
    private readonly refusals: SecondFactorRefusals,
  ) {}

  async execute({ challengeId, request }: SendChallengeEmailCodeCommand): Promise<void> {
    const challenge = await this.uow.reader().getRepository(MfaChallenge).findByIdAcrossTenants(challengeId);
    if (!challenge) throw notFound('Challenge');
    return TenantScope.run(challenge.tenantId, () => this.send(challenge, request));
  }

  private async send(challenge: MfaChallenge, request: RequestMeta): Promise<void> {
    const now = this.clock.now();
    const em = this.uow.reader();
    const { tenantId, userId } = challenge;
    const refusal = (error: DomainError) => ({
      subject: { tenantId, userId },
      action: EMAIL_CODE_REFUSED,
      target: { type: 'mfa_challenge', id: challenge.id },
      method: 'email',
      error,
      request,
    });
    // As for verification: a spent challenge is refused before anything is written.
    if (challenge.isSpent) {
      this.refusals.counted(refusal(challengeExpired()));
      throw challengeExpired();
    }
    try {
      if (!challenge.isOpenAt(now)) throw challengeExpired();
      await assertChallengeBound(em, challenge);
      // The most recently proven address; a challenge that did not offer e-mail has nowhere to send.
      const factor = challenge.methods.includes('email')
        ? await em.findOne(
            Factor,
            { tenantId, userId, type: 'email', status: 'active' },
            { orderBy: { verifiedAt: 'desc', id: 'asc' } },
          )
        : null;
      if (!factor) throw notFound('E-mail factor');
      const actor = { type: 'user' as const, id: userId };
      const outboxId = await this.uow.run((tx) =>
        this.codes.issue(tx, { factor, purpose: 'sign_in', boundTo: challenge.id, actor, request, now }),
      );
      await this.outbox.relayNow([outboxId]);
    } catch (error) {
      // A missing factor is a plain 404, as before: nothing was attempted.
      if (error instanceof DomainError && error.code !== 'not_found') await this.refusals.record(refusal(error));
      throw error;
    }
  }
}

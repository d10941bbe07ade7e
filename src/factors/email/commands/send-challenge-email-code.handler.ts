import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MfaChallenge } from '../../../auth/mfa-challenge.entity.js';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { DomainError, notFound } from '../../../common/errors/domain-error.js';
import { OutboxRelay } from '../../../infra/outbox/outbox-relay.js';
import { Factor } from '../../factor.entity.js';
import { EmailCodes } from '../email-codes.js';
import { SendChallengeEmailCodeCommand } from './send-challenge-email-code.command.js';

const challengeExpired = () => new DomainError('challenge_expired', 'This sign-in challenge has expired or was used');

@CommandHandler(SendChallengeEmailCodeCommand)
export class SendChallengeEmailCodeHandler implements ICommandHandler<SendChallengeEmailCodeCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly codes: EmailCodes,
    private readonly outbox: OutboxRelay,
  ) {}

  async execute({ challengeId, request }: SendChallengeEmailCodeCommand): Promise<void> {
    const now = this.clock.now();
    const em = this.uow.reader();
    const challenge = await em.findOne(MfaChallenge, { id: challengeId });
    if (!challenge) throw notFound('Challenge');
    if (!challenge.isOpenAt(now)) throw challengeExpired();
    const { tenantId, userId } = challenge;
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
      this.codes.issue(tx, { factor, purpose: 'sign_in', actor, request, now }),
    );
    await this.outbox.relayNow([outboxId]);
  }
}

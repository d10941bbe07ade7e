import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError, notFound } from '../../common/errors/domain-error.js';
import { EmailCodes, Factor, factorInventoryOf, SecondFactorRefusals } from '../../factors/index.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { MfaPolicyStore } from '../../policy/index.js';
import { ChallengeMethods } from '../challenge-methods/challenge-methods.js';
import { EMAIL_CODE_REFUSED } from '../events/mfa-challenge.events.js';
import { SendStepUpEmailCodeCommand } from './send-step-up-email-code.command.js';

/**
 * A step-up code is bound to the session that asked for it: a sign-in code (bound to its challenge)
 * never proves a step-up, and a code sent for one session proves nothing in another.
 */
@CommandHandler(SendStepUpEmailCodeCommand)
export class SendStepUpEmailCodeHandler implements ICommandHandler<SendStepUpEmailCodeCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly codes: EmailCodes,
    private readonly outbox: OutboxRelay,
    private readonly methods: ChallengeMethods,
    private readonly policies: MfaPolicyStore,
    private readonly refusals: SecondFactorRefusals,
  ) {}

  async execute({ principal, request }: SendStepUpEmailCodeCommand): Promise<void> {
    const { tenantId, userId } = principal;
    const sessionId = principal.session.id;
    const now = this.clock.now();
    const em = this.uow.reader();
    const subject = { tenantId, userId };
    const [{ settings: policy }, inventory] = await Promise.all([
      this.policies.inForce(tenantId, principal.tenant.mfaPolicyVersion),
      factorInventoryOf(em, subject),
    ]);
    // Only where a step-up would accept the answer: e-mail offered to this user under the policy.
    const offered = this.methods.offeredTo(inventory, policy, principal.roles);
    const factor = offered.includes('email')
      ? await em.findOne(
          Factor,
          { tenantId, userId, type: 'email', status: 'active' },
          { orderBy: { verifiedAt: 'desc', id: 'asc' } },
        )
      : null;
    if (!factor) throw notFound('E-mail factor');
    try {
      const actor = { type: 'user' as const, id: userId };
      const outboxId = await this.uow.run((tx) =>
        this.codes.issue(tx, { factor, purpose: 'step_up', boundTo: sessionId, actor, request, now }),
      );
      await this.outbox.relayNow([outboxId]);
    } catch (error) {
      if (error instanceof DomainError) {
        const target = { type: 'session', id: sessionId };
        await this.refusals.record({ subject, action: EMAIL_CODE_REFUSED, target, method: 'email', error, request });
      }
      throw error;
    }
  }
}

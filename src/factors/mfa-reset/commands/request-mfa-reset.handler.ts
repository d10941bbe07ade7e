import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../../audit/index.js';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { UsersDirectory } from '../../../identity/index.js';
import { OutboxMessage } from '../../../infra/outbox/outbox-message.entity.js';
import { OutboxRelay } from '../../../infra/outbox/outbox-relay.js';
import { MfaReset } from '../mfa-reset.entity.js';
import { MfaResetRequestedEvent } from '../mfa-reset.events.js';
import { RequestMfaResetCommand } from './request-mfa-reset.command.js';

@CommandHandler(RequestMfaResetCommand)
export class RequestMfaResetHandler implements ICommandHandler<RequestMfaResetCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly directory: UsersDirectory,
    private readonly outbox: OutboxRelay,
  ) {}

  async execute({ tenantId, userId, actor, request }: RequestMfaResetCommand): Promise<{ resetId: string }> {
    // Another tenant's user id is simply not found (invariant 5).
    await this.directory.requireUser(tenantId, userId);
    const now = this.clock.now();
    const reset = new MfaReset({ tenantId, userId, requestedBy: actor.id, now });
    const outboxId = await this.uow.run(async (tx) => {
      await tx.em.getRepository(MfaReset).revokePendingForUser(tenantId, userId, now);
      const outbox = new OutboxMessage({ tenantId, kind: 'mfa_reset_link', refId: reset.id, now });
      tx.em.persist([reset, outbox]);
      await tx.em.flush();
      await this.audit.record(tx, new MfaResetRequestedEvent(tenantId, userId, reset.id), {
        actor,
        target: { type: 'user', id: userId },
        request,
        details: { resetId: reset.id, expiresAt: reset.expiresAt.toISOString() },
      });
      return outbox.id;
    });
    await this.outbox.relayNow([outboxId]);
    return { resetId: reset.id };
  }
}

import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AuditLog } from '../../../audit/index.js';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { UsersDirectory } from '../../../identity/index.js';
import { OutboxMessage } from '../../../infra/outbox/outbox-message.entity.js';
import { OutboxRelay } from '../../../infra/outbox/outbox-relay.js';
import { MfaResetRequestedEvent } from '../mfa-reset.events.js';
import { RequestMfaResetCommand } from './request-mfa-reset.command.js';

/** How long a reset link works: a day, for a user who may be away from their mail for a while. */
export const MFA_RESET_TTL_MS = 24 * 60 * 60_000;

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
    const resetId = randomUUID();
    const outboxId = await this.uow.run(async (tx) => {
      // An earlier link of this user stops working: only the newest reset can be used.
      await tx.em.execute('update mfa_resets set used_at = ? where user_id = ? and used_at is null', [now, userId]);
      await tx.em.execute(
        `insert into mfa_resets (id, tenant_id, user_id, created_at, expires_at, requested_by) values (?, ?, ?, ?, ?, ?)`,
        [resetId, tenantId, userId, now, new Date(now.getTime() + MFA_RESET_TTL_MS), actor.id],
      );
      const outbox = new OutboxMessage({ tenantId, kind: 'mfa_reset_link', refId: resetId, now });
      tx.em.persist(outbox);
      await tx.em.flush();
      await this.audit.record(tx, new MfaResetRequestedEvent(tenantId, userId, resetId), {
        actor,
        target: { type: 'user', id: userId },
        request,
        details: { resetId, expiresAt: new Date(now.getTime() + MFA_RESET_TTL_MS).toISOString() },
      });
      return outbox.id;
    });
    await this.outbox.relayNow([outboxId]);
    return { resetId };
  }
}

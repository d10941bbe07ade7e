import { LockMode } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { notFound } from '../../common/errors/domain-error.js';
import { ApiKey } from '../api-key.entity.js';
import { ApiKeyRevokedEvent } from '../events/identity.events.js';
import { RevokeApiKeyCommand } from './revoke-api-key.command.js';

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
  ) {}

  async execute({ tenantId, apiKeyId, actor, request }: RevokeApiKeyCommand): Promise<void> {
    const target = { type: 'api_key', id: apiKeyId };
    await this.attempts.run({ tenantId, action: ApiKeyRevokedEvent.type, actor, target, request }, () =>
      this.uow.run(async (tx) => {
        // Locked, so two concurrent revocations record one revocation.
        const key = await tx.em.findOne(
          ApiKey,
          { tenantId, id: apiKeyId, revokedAt: null },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (!key) throw notFound('API key');
        key.revokedAt = this.clock.now();
        await tx.em.flush();
        await this.audit.record(tx, new ApiKeyRevokedEvent(tenantId, apiKeyId), {
          actor,
          target,
          request,
          details: { name: key.name },
        });
      }),
    );
  }
}

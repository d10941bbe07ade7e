import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/audit-log.js';
import { Clock } from '../../common/clock.js';
import { hashToken, newOpaqueToken } from '../../common/crypto/tokens.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { ApiKey } from '../api-key.entity.js';
import { API_KEY_PREFIX } from '../api-keys.service.js';
import { ApiKeyCreatedEvent } from '../events/identity.events.js';
import { CreateApiKeyCommand } from './create-api-key.command.js';

@CommandHandler(CreateApiKeyCommand)
export class CreateApiKeyHandler implements ICommandHandler<CreateApiKeyCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async execute({ tenantId, input, actor, request }: CreateApiKeyCommand) {
    const key = newOpaqueToken(API_KEY_PREFIX);
    return this.uow.run(async (tx) => {
      const apiKey = new ApiKey({
        tenantId,
        name: input.name,
        keyHash: hashToken(key),
        scopes: input.scopes,
        createdBy: actor.type === 'user' ? actor.id : null,
        now: this.clock.now(),
      });
      tx.em.persist(apiKey);
      await tx.em.flush();
      await this.audit.record(tx, new ApiKeyCreatedEvent(tenantId, apiKey.id), {
        actor,
        target: { type: 'api_key', id: apiKey.id },
        request,
        details: { name: apiKey.name, scopes: apiKey.scopes },
      });
      return { apiKey, key };
    });
  }
}

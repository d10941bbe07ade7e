import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../audit/index.js';
import type { Actor, RequestMeta } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { hashToken, newOpaqueToken } from '../../common/crypto/tokens.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { ApiKey } from '../api-key.entity.js';
import { API_KEY_PREFIX } from '../api-keys.service.js';
import { ApiKeyCreatedEvent } from '../events/identity.events.js';
import { ReauthGate } from '../reauth-gate.js';
import { CreateApiKeyCommand } from './create-api-key.command.js';

@CommandHandler(CreateApiKeyCommand)
export class CreateApiKeyHandler implements ICommandHandler<CreateApiKeyCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly reauth: ReauthGate,
  ) {}

  async execute({ tenantId, input, actor, request, session }: CreateApiKeyCommand) {
    const attempt = { tenantId, action: ApiKeyCreatedEvent.type, actor, request, details: { name: input.name } };
    return this.attempts.run(attempt, async () => {
      await this.reauth.assertCallerRecent(tenantId, actor, session, this.clock.now());
      return this.create(tenantId, input, actor, request);
    });
  }

  private create(tenantId: string, { name, scopes }: CreateApiKeyCommand['input'], actor: Actor, request: RequestMeta) {
    const key = newOpaqueToken(API_KEY_PREFIX);
    return this.uow.run(async (tx) => {
      const apiKey = new ApiKey({
        tenantId,
        name,
        keyHash: hashToken(key),
        scopes,
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

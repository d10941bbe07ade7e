import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { ApiKey } from '../api-key.entity.js';
import type { ApiKeyScope } from '../roles.js';

/** Creates an integration user's key; the key itself is returned once and only its hash is kept. */
export class CreateApiKeyCommand extends Command<{ apiKey: ApiKey; key: string }> {
  constructor(
    readonly tenantId: string,
    readonly input: { name: string; scopes: ApiKeyScope[] },
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

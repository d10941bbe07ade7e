import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';

/** Ends an integration's access at once: its next request is refused. */
export class RevokeApiKeyCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly apiKeyId: string,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

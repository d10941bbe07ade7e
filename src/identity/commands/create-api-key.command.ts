import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { ApiKey } from '../api-key.entity.js';
import type { PresenceProof } from '../reauth-gate.js';
import type { ApiKeyScope } from '../../common/access/roles.js';

/**
 * Creates an integration user's key; the key itself is returned once and only its hash is kept. A
 * credential that never expires and is never asked for MFA: only a recently re-authenticated admin mints one.
 */
export class CreateApiKeyCommand extends Command<{ apiKey: ApiKey; key: string }> {
  constructor(
    readonly tenantId: string,
    readonly input: { name: string; scopes: ApiKeyScope[] },
    readonly actor: Actor,
    readonly request: RequestMeta,
    /** The caller's session, held to the re-auth window; null for the CLI, which has none. */
    readonly session: PresenceProof | null,
  ) {
    super();
  }
}

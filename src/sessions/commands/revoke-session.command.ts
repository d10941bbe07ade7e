import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';

/**
 * Revokes one session of the tenant. With `ownerId` (a user revoking their own) a session of anyone
 * else is "not found", exactly like another tenant's.
 */
export class RevokeSessionCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly sessionId: string,
    readonly ownerId: string | null,
    readonly reason: 'user_revoked' | 'admin_revoked' | 'logout',
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

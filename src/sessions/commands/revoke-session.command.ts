import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';

/**
 * Whose sessions the caller may end: their own (anyone else's is "not found", exactly like another
 * tenant's), or any in the tenant, an admin's only when `includingAdmins` (a manager may not sign an
 * admin out).
 */
export type RevocationScope = { kind: 'own'; userId: string } | { kind: 'tenant'; includingAdmins: boolean };

/** Revokes one session of the tenant. */
export class RevokeSessionCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly sessionId: string,
    readonly scope: RevocationScope,
    readonly reason: 'user_revoked' | 'admin_revoked' | 'logout',
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

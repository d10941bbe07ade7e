import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { PresenceProof } from '../reauth-gate.js';
import type { Role } from '../../common/access/roles.js';
import type { User } from '../user.entity.js';

/** Replaces a user's roles; granting admin or manager needs the caller's recent re-auth. */
export class ChangeUserRolesCommand extends Command<User> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly roles: Role[],
    readonly actor: Actor,
    readonly request: RequestMeta,
    /** The caller's session, held to the re-auth window; null for the CLI, which has none. */
    readonly session: PresenceProof | null,
  ) {
    super();
  }
}

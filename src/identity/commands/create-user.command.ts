import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { PresenceProof } from '../reauth-gate.js';
import type { Role } from '../../common/access/roles.js';
import type { User } from '../user.entity.js';

/**
 * An admin (or the CLI) adds a user; without a password the user cannot sign in until one is set. A
 * new admin or manager needs the creating admin's recent re-auth.
 */
export class CreateUserCommand extends Command<User> {
  constructor(
    readonly tenantId: string,
    readonly input: { email: string; roles: Role[]; password?: string | undefined },
    readonly actor: Actor,
    readonly request: RequestMeta,
    /** The caller's session, held to the re-auth window; null for the CLI, which has none. */
    readonly session: PresenceProof | null,
  ) {
    super();
  }
}

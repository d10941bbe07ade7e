import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { Role } from '../roles.js';
import type { User } from '../user.entity.js';

/** An admin (or the CLI) adds a user; without a password the user cannot sign in until one is set. */
export class CreateUserCommand extends Command<User> {
  constructor(
    readonly tenantId: string,
    readonly input: { email: string; roles: Role[]; password?: string | undefined },
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

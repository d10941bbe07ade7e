import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { Role } from '../roles.js';
import type { User } from '../user.entity.js';

export class ChangeUserRolesCommand extends Command<User> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly roles: Role[],
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { Tenant } from '../tenant.entity.js';
import type { User } from '../user.entity.js';

/** Creates a tenant and its first admin. */
export class CreateTenantCommand extends Command<{ tenant: Tenant; admin: User }> {
  constructor(
    readonly input: { slug: string; name: string; admin: { email: string; password: string } },
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

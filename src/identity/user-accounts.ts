import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/index.js';
import type { Actor, RequestMeta } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import type { Tx } from '../common/cqrs/unit-of-work.js';
import { UserCreatedEvent } from './events/identity.events.js';
import { emailTaken } from './identity.errors.js';
import type { Role } from '../common/access/roles.js';
import { User } from './user.entity.js';

/** Creating a user inside a caller's transaction: shared by tenant creation, the admin API and the CLI. */
@Injectable()
export class UserAccounts {
  constructor(
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async create(
    tx: Tx,
    input: {
      tenantId: string;
      email: string;
      roles: Role[];
      passwordHash: string | null;
      actor: Actor;
      request: RequestMeta;
    },
  ): Promise<User> {
    const users = tx.em.getRepository(User);
    if (await users.findByEmail(input.tenantId, input.email)) throw emailTaken();
    const user = new User({ ...input, now: this.clock.now() });
    tx.em.persist(user);
    await tx.em.flush();
    await this.audit.record(tx, new UserCreatedEvent(user.tenantId, user.id, user.roles), {
      actor: input.actor,
      target: { type: 'user', id: user.id },
      request: input.request,
      details: { email: user.email, roles: user.roles, passwordSet: input.passwordHash !== null },
    });
    return user;
  }
}

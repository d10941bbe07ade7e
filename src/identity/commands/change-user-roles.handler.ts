import type { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/audit-log.js';
import { AuditedAttempt } from '../../audit/audited.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { conflict } from '../../common/errors/domain-error.js';
import { UserRolesChangedEvent } from '../events/identity.events.js';
import { userNotFound } from '../identity.errors.js';
import { User } from '../user.entity.js';
import { ChangeUserRolesCommand } from './change-user-roles.command.js';

@CommandHandler(ChangeUserRolesCommand)
export class ChangeUserRolesHandler implements ICommandHandler<ChangeUserRolesCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
  ) {}

  async execute({ tenantId, userId, roles, actor, request }: ChangeUserRolesCommand) {
    const target = { type: 'user', id: userId };
    return this.attempts.run({ tenantId, action: UserRolesChangedEvent.type, actor, target, request }, () =>
      this.uow.run(async (tx) => {
        const users = tx.em.getRepository(User);
        const user = await users.findInTenant(tenantId, userId);
        if (!user) throw userNotFound();
        if (user.roles.includes('admin') && !roles.includes('admin')) await this.keepOneAdmin(tx.em, tenantId, userId);
        const change = user.changeRoles(roles, this.clock.now());
        await tx.em.flush();
        await this.audit.record(tx, new UserRolesChangedEvent(tenantId, userId, change.before, change.after), {
          actor,
          target,
          request,
          details: change,
        });
        return user;
      }),
    );
  }

  /** A tenant never loses its last admin: nobody could manage it again. */
  private async keepOneAdmin(em: EntityManager, tenantId: string, userId: string) {
    // Lock the tenant's admins so two concurrent demotions cannot both pass this check.
    const admins = await em.execute<{ id: string }[]>(
      `select id from users where tenant_id = ? and 'admin' = any(roles) for update`,
      [tenantId],
    );
    if (admins.filter((a) => a.id !== userId).length === 0) throw conflict('A tenant must keep at least one admin');
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { conflict } from '../../common/errors/domain-error.js';
import { UserRolesChangedEvent } from '../events/identity.events.js';
import { userNotFound } from '../identity.errors.js';
import { privilegedRolesGranted } from '../privileged-roles.js';
import { ReauthGate } from '../reauth-gate.js';
import { User } from '../user.entity.js';
import { ChangeUserRolesCommand } from './change-user-roles.command.js';

@CommandHandler(ChangeUserRolesCommand)
export class ChangeUserRolesHandler implements ICommandHandler<ChangeUserRolesCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly reauth: ReauthGate,
  ) {}

  async execute({ tenantId, userId, roles, actor, request, session }: ChangeUserRolesCommand) {
    const target = { type: 'user', id: userId };
    return this.attempts.run({ tenantId, action: UserRolesChangedEvent.type, actor, target, request }, () =>
      this.uow.run(async (tx) => {
        // Admins first (in id order), then the user: concurrent demotions queue instead of deadlocking.
        if (!roles.includes('admin')) await this.keepOneAdmin(tx.em, tenantId, userId);
        const user = await tx.em.getRepository(User).lockInTenant(tenantId, userId);
        if (!user) throw userNotFound();
        // Nothing changes, so nothing is recorded: no audit entry without a change.
        if (sameRoles(user.roles, roles)) return user;
        const now = this.clock.now();
        // Judged on the roles locked here: a grant of power needs the caller's recent re-auth.
        if (privilegedRolesGranted(user.roles, roles).length) {
          await this.reauth.assertCallerRecent(tenantId, actor, session, now);
        }
        const change = user.changeRoles(roles, now);
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
      `select id from users where tenant_id = ? and 'admin' = any(roles) order by id for update`,
      [tenantId],
    );
    const demotesAdmin = admins.some((a) => a.id === userId);
    if (demotesAdmin && admins.length === 1) throw conflict('A tenant must keep at least one admin');
  }
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(b);
  return a.length === set.size && a.every((r) => set.has(r));
}

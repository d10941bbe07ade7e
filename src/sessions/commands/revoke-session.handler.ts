import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt } from '../../audit/index.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { SessionRevokedEvent } from '../events/session.events.js';
import { Session } from '../session.entity.js';
import { adminSessionsProtected, sessionNotFound } from '../sessions.errors.js';
import { User } from '../../identity/index.js';
import { SessionsService } from '../sessions.service.js';
import { RevokeSessionCommand } from './revoke-session.command.js';

@CommandHandler(RevokeSessionCommand)
export class RevokeSessionHandler implements ICommandHandler<RevokeSessionCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionsService,
    private readonly attempts: AuditedAttempt,
  ) {}

  async execute({ tenantId, sessionId, scope, reason, actor, request }: RevokeSessionCommand): Promise<void> {
    const attempt = {
      tenantId,
      action: SessionRevokedEvent.type,
      actor,
      request,
      target: { type: 'session', id: sessionId },
    };
    await this.attempts.run(attempt, async () => {
      if (scope.kind === 'own') {
        const own = { tenantId, userId: scope.userId, id: sessionId };
        if (!(await this.sessions.revokeOfUser(own, reason, actor, request))) throw sessionNotFound();
        return;
      }
      await this.uow.run(async (tx) => {
        const session = await tx.em.getRepository(Session).lockInTenant(tenantId, sessionId);
        if (!session) throw sessionNotFound();
        if (!scope.includingAdmins) {
          const owner = await tx.em.getRepository(User).findInTenant(tenantId, session.userId);
          if (owner?.roles.includes('admin')) throw adminSessionsProtected();
        }
        await this.sessions.revoke(tx, session, reason, actor, request);
      });
    });
  }
}

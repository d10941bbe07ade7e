import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { SessionsService } from '../sessions.service.js';
import { RevokeOtherSessionsCommand } from './revoke-other-sessions.command.js';

@CommandHandler(RevokeOtherSessionsCommand)
export class RevokeOtherSessionsHandler implements ICommandHandler<RevokeOtherSessionsCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: SessionsService,
  ) {}

  async execute({ tenantId, userId, currentSessionId, actor, request }: RevokeOtherSessionsCommand) {
    const revoked = await this.uow.run((tx) =>
      this.sessions.revokeAllForUser(tx, {
        tenantId,
        userId,
        exceptSessionId: currentSessionId,
        reason: 'user_revoked_others',
        actor,
        request,
      }),
    );
    return { revoked };
  }
}

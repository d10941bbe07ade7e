import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../common/clock.js';
import { Session } from '../session.entity.js';
import { DeleteExpiredSessionsCommand } from './delete-expired-sessions.command.js';

/**
 * Housekeeping, not a security state change: these sessions already fail every request, so no audit
 * entry is written per row; the count is logged instead.
 */
@CommandHandler(DeleteExpiredSessionsCommand)
export class DeleteExpiredSessionsHandler implements ICommandHandler<DeleteExpiredSessionsCommand> {
  private readonly logger = new Logger('SessionCleanup');

  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {}

  async execute({ batchSize }: DeleteExpiredSessionsCommand): Promise<{ deleted: number }> {
    // One "now" for the whole sweep: it removes what was dead when it started, and ends even while
    // sessions keep expiring behind it.
    const now = this.clock.now();
    const deleted = await this.orm.em.fork().getRepository(Session).deleteExpired(now, batchSize);
    this.logger.log(`deleted ${deleted} expired or revoked sessions`);
    return { deleted };
  }
}

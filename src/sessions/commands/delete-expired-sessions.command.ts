import { Command } from '@nestjs/cqrs';

/**
 * Deletes every session that can never be used again (expired, idle too long, or revoked), in
 * batches of `batchSize` rows so a large backlog never holds one long transaction.
 */
export class DeleteExpiredSessionsCommand extends Command<{ deleted: number }> {
  constructor(readonly batchSize: number) {
    super();
  }
}

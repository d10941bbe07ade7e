import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../common/clock.js';
import { FactorHousekeeping } from '../../factors/index.js';
import { deleteInBatches } from '../../infra/database/delete-in-batches.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { PurgeSpentMfaRecordsCommand, type PurgedMfaRecords } from './purge-spent-mfa-records.command.js';

const DAY_MS = 24 * 60 * 60_000;
const SPENT_RETENTION_MS = DAY_MS;
const DELIVERED_RETENTION_MS = 7 * DAY_MS;

@CommandHandler(PurgeSpentMfaRecordsCommand)
export class PurgeSpentMfaRecordsHandler implements ICommandHandler<PurgeSpentMfaRecordsCommand> {
  private readonly logger = new Logger('MfaCleanup');

  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly factors: FactorHousekeeping,
    private readonly outbox: OutboxRelay,
  ) {}

  async execute({ batchSize }: PurgeSpentMfaRecordsCommand): Promise<PurgedMfaRecords> {
    const now = this.clock.now().getTime();
    const spentBefore = new Date(now - SPENT_RETENTION_MS);
    const challenges = await deleteInBatches(
      this.orm.em.fork(),
      'mfa_challenges',
      'expires_at < ?',
      [spentBefore],
      batchSize,
    );
    const purged = {
      challenges,
      ...(await this.factors.purge(spentBefore, batchSize)),
      outboxMessages: await this.outbox.purgeDelivered(new Date(now - DELIVERED_RETENTION_MS), batchSize),
    };
    this.logger.log(`purged ${JSON.stringify(purged)}`);
    return purged;
  }
}

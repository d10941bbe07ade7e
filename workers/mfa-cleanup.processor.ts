import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { PurgeSpentMfaRecordsCommand } from '../src/auth/index.js';
import { AppConfig } from '../src/common/app-config.js';
import { OnJob } from '../src/infra/queues/on-job.decorator.js';

@Injectable()
export class MfaCleanupProcessor {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
  ) {}

  @OnJob('maintenance', 'mfa-cleanup')
  async purgeSpentMfaRecords() {
    return this.commands.execute(new PurgeSpentMfaRecordsCommand(this.config.env.SESSION_CLEANUP_BATCH_SIZE));
  }
}

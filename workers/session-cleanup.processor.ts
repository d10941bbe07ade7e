import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig } from '../src/common/app-config.js';
import { OnJob } from '../src/infra/queues/on-job.decorator.js';
import { DeleteExpiredSessionsCommand } from '../src/sessions/index.js';

@Injectable()
export class SessionCleanupProcessor {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
  ) {}

  @OnJob('maintenance', 'session-cleanup')
  async deleteExpiredSessions(): Promise<{ deleted: number }> {
    return this.commands.execute(new DeleteExpiredSessionsCommand(this.config.env.SESSION_CLEANUP_BATCH_SIZE));
  }
}

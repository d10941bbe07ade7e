import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../src/common/app-config.js';
import { JobQueues } from '../src/infra/queues/job-queues.js';

/** Every worker upserts the same schedule at start; BullMQ keeps one, so starting many is harmless. */
@Injectable()
export class SessionCleanupSchedule implements OnApplicationBootstrap {
  constructor(
    private readonly queues: JobQueues,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queues.schedule(
      'maintenance',
      'session-cleanup',
      this.config.env.SESSION_CLEANUP_INTERVAL_MINUTES * 60_000,
      {},
    );
  }
}

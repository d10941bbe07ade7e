import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../src/common/app-config.js';
import { JobQueues } from '../src/infra/queues/job-queues.js';

/**
 * The repeating clean-up jobs and the grace-period sweep. Every worker upserts the same schedules at start; BullMQ keeps one of
 * each, so starting many workers is harmless.
 */
@Injectable()
export class MaintenanceSchedule implements OnApplicationBootstrap {
  constructor(
    private readonly queues: JobQueues,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { env } = this.config;
    await this.queues.schedule('maintenance', 'session-cleanup', env.SESSION_CLEANUP_INTERVAL_MINUTES * 60_000, {});
    await this.queues.schedule('maintenance', 'mfa-cleanup', env.MFA_CLEANUP_INTERVAL_MINUTES * 60_000, {});
    await this.queues.schedule('grace', 'grace-sweep', env.GRACE_SWEEP_INTERVAL_MINUTES * 60_000, {});
  }
}

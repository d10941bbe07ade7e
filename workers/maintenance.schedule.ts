import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../src/common/app-config.js';
import { jobIdOf } from '../src/infra/queues/job-id.js';
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
    const graceEveryMs = env.GRACE_SWEEP_INTERVAL_MINUTES * 60_000;
    await this.queues.schedule('grace', 'grace-sweep', graceEveryMs, {});
    // The schedule's first run is an interval away: a worker that starts sweeps now, so deadlines passed
    // while no worker ran are enforced at once. Workers starting in the same interval share one sweep.
    const window = Math.floor(Date.now() / graceEveryMs);
    await this.queues.add('grace', 'grace-sweep', {}, { jobId: jobIdOf('grace-sweep', 'startup', window) });
  }
}

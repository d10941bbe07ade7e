import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { cadenceMs } from '../src/audit/index.js';
import { AppConfig } from '../src/common/app-config.js';
import { Clock } from '../src/common/clock.js';
import { jobIdOf } from '../src/infra/queues/job-id.js';
import { JobQueues } from '../src/infra/queues/job-queues.js';

/**
 * Checkpoints on a fixed cadence, even when nothing happens: a heartbeat missing from the record is how
 * a deleted tail of checkpoints shows. Every worker upserts the same schedule; BullMQ keeps one.
 */
@Injectable()
export class AuditCheckpointSchedule implements OnApplicationBootstrap {
  constructor(
    private readonly queues: JobQueues,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const everyMs = cadenceMs(this.config.env.AUDIT_CHECKPOINT_INTERVAL_MINUTES);
    await this.queues.schedule('audit-checkpoints', 'audit-checkpoint', everyMs, {});
    // The schedule's first run is an interval away: a worker that starts takes the window's checkpoints
    // now, so a gap left while no worker ran is closed at once. Workers starting together share one job.
    const window = Math.floor(this.clock.now().getTime() / everyMs);
    const jobId = jobIdOf('audit-checkpoint', 'startup', window);
    await this.queues.add('audit-checkpoints', 'audit-checkpoint', {}, { jobId });
  }
}

import { Injectable } from '@nestjs/common';
import { DeliverChain } from '../src/audit/index.js';
import { jobIdOf } from '../src/infra/queues/job-id.js';
import { JobQueues } from '../src/infra/queues/job-queues.js';
import { OnJob } from '../src/infra/queues/on-job.decorator.js';
import { Clock } from '../src/common/clock.js';

/** A lease is taken once it is past: looking a moment after it ends never finds it still held. */
const AFTER_LEASE_MS = 100;

/** The `audit-stream` queue: one job delivers one chain to one sink until caught up, or until a failure. */
@Injectable()
export class AuditStreamProcessor {
  constructor(
    private readonly deliver: DeliverChain,
    private readonly queues: JobQueues,
    private readonly clock: Clock,
  ) {}

  @OnJob('audit-stream', 'deliver-chain')
  async deliverChain({ sinkId, chainKey }: { sinkId: string; chainKey: string }) {
    const run = await this.deliver.run(sinkId, chainKey);
    // A retry, or a look when a lease that may have been left behind runs out (this job's wake-up found the
    // pair held; the tick may be minutes away). Its own job, delayed: the wake-up job of this pair may be
    // waiting already and must stay un-delayed.
    const at =
      run.ended === 'retry'
        ? run.retryAt
        : run.ended === 'leased'
          ? new Date(run.until.getTime() + AFTER_LEASE_MS)
          : undefined;
    if (at) {
      const delay = Math.max(0, at.getTime() - this.clock.now().getTime());
      await this.queues.add(
        'audit-stream',
        'deliver-chain',
        { sinkId, chainKey },
        { jobId: jobIdOf(run.ended, sinkId, chainKey, at), delay },
      );
    }
    return run;
  }
}

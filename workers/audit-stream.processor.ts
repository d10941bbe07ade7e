import { Injectable } from '@nestjs/common';
import { DeliverChain } from '../src/audit/index.js';
import { jobIdOf } from '../src/infra/queues/job-id.js';
import { JobQueues } from '../src/infra/queues/job-queues.js';
import { OnJob } from '../src/infra/queues/on-job.decorator.js';
import { Clock } from '../src/common/clock.js';

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
    if (run.ended === 'retry') {
      // Its own job, delayed: the wake-up job of this pair may be waiting already and must stay un-delayed.
      const delay = Math.max(0, run.retryAt.getTime() - this.clock.now().getTime());
      await this.queues.add(
        'audit-stream',
        'deliver-chain',
        { sinkId, chainKey },
        { jobId: jobIdOf('retry', sinkId, chainKey, run.retryAt), delay },
      );
    }
    return run;
  }
}

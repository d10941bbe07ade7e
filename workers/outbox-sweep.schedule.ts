import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { OUTBOX_SWEEP_INTERVAL_MS } from '../src/infra/outbox/outbox-relay.js';
import { JobQueues } from '../src/infra/queues/job-queues.js';

/** Every worker upserts the same schedule at start; BullMQ keeps one. */
@Injectable()
export class OutboxSweepSchedule implements OnApplicationBootstrap {
  constructor(private readonly queues: JobQueues) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queues.schedule('email', 'outbox-sweep', OUTBOX_SWEEP_INTERVAL_MS, {});
  }
}

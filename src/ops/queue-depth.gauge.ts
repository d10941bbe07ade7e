import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { JobType } from 'bullmq';
import { Gauge, Registry } from 'prom-client';
import { type MonitoredQueue, STEPGUARD_QUEUES } from './stepguard-queues.js';
import { withTimeout } from '../common/with-timeout.js';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const satisfies JobType[];
const COUNT_TIMEOUT_MS = 2000;

/**
 * `stepguard_queue_jobs{queue,state}`: jobs per BullMQ queue and state, read when Prometheus
 * scrapes. A queue whose Redis connection is not ready is skipped (its series drop out) rather than
 * queueing commands that would hold the scrape until Redis returns.
 */
@Injectable()
export class QueueDepthGauge {
  private readonly logger = new Logger('Metrics');

  constructor(registry: Registry, @Optional() @Inject(STEPGUARD_QUEUES) queues: MonitoredQueue[] | null) {
    const gauge: Gauge<'queue' | 'state'> = new Gauge({
      name: 'stepguard_queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      collect: async () => {
        gauge.reset();
        await Promise.all((queues ?? []).map((queue) => this.record(gauge, queue)));
      },
    });
  }

  private async record(gauge: Gauge<'queue' | 'state'>, queue: MonitoredQueue): Promise<void> {
    const client = await withTimeout(queue.getBackend().client, COUNT_TIMEOUT_MS);
    const counts =
      client?.status === 'ready' ? await withTimeout(queue.getJobCounts(...STATES), COUNT_TIMEOUT_MS) : undefined;
    if (!counts) {
      this.logger.warn(`could not read the depth of queue ${queue.name} for /metrics`);
      return;
    }
    for (const state of STATES) gauge.set({ queue: queue.name, state }, counts[state] ?? 0);
  }
}

import type { Queue } from 'bullmq';

/** The BullMQ queues whose depths `/metrics` reports, provided by the queues module. */
export { STEPGUARD_QUEUES } from '../infra/queues/queues.module.js';

/** What the gauge needs of a queue; a bullmq `Queue` is one. */
export type MonitoredQueue = Pick<Queue, 'name' | 'getJobCounts' | 'getBackend'>;

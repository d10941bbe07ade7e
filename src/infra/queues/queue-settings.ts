import type { DefaultJobOptions } from 'bullmq';
import type { AppConfig } from '../../common/app-config.js';

/** Queue keys live under the deployment's (or the test's) prefix, never BullMQ's shared default `bull`. */
export function bullPrefix(config: AppConfig): string {
  return `${config.env.REDIS_KEY_PREFIX}:bull`;
}

export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 10_000 },
  // Bounded history: enough to see what happened lately, never a Redis that grows with every job.
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

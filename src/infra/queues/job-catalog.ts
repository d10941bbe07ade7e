import { z } from 'zod';

/**
 * Every queue, the jobs it carries and each job's payload schema: the one typed map that producers,
 * processors and the boot check share. Payloads are identifiers and parameters only, never secrets
 * (tokens, codes, keys): job data sits in Redis in clear and shows up in dashboards.
 */
export const JOB_CATALOG = {
  maintenance: {
    concurrency: 1,
    jobs: {
      'session-cleanup': z.object({}).strict(),
      'mfa-cleanup': z.object({}).strict(),
    },
  },
  grace: {
    concurrency: 2,
    jobs: {
      'grace-sweep': z.object({}).strict(),
      'grace-policy-sweep': z.object({ outboxId: z.uuid() }).strict(),
      'grace-deadline': z.object({ tenantId: z.uuid(), userId: z.uuid(), deadline: z.number().int() }).strict(),
    },
  },
  email: {
    concurrency: 4,
    jobs: {
      'send-email-code': z.object({ outboxId: z.uuid() }).strict(),
      'send-mfa-locked-notice': z.object({ outboxId: z.uuid() }).strict(),
      'send-mfa-grace-notice': z.object({ outboxId: z.uuid() }).strict(),
      'send-mfa-reset-link': z.object({ outboxId: z.uuid() }).strict(),
      'send-security-notice': z.object({ outboxId: z.uuid() }).strict(),
      'outbox-sweep': z.object({}).strict(),
    },
  },
  'audit-stream': {
    // Deliveries wait on receivers, not on this process: many run at once, one per sink and chain at most.
    concurrency: 16,
    jobs: {
      'deliver-chain': z.object({ sinkId: z.uuid(), chainKey: z.string().min(1).max(64) }).strict(),
    },
  },
  'audit-retention': {
    // One purge at a time per worker; purges of one chain on several workers serialise in audit_purge anyway.
    concurrency: 1,
    jobs: {
      'audit-purge': z.object({}).strict(),
    },
  },
  'audit-checkpoints': {
    // One run at a time per worker; runs on several workers serialise on an advisory lock anyway.
    concurrency: 1,
    jobs: {
      'audit-checkpoint': z.object({}).strict(),
    },
  },
} as const satisfies Record<string, { concurrency: number; jobs: Record<string, z.ZodType<object>> }>;

export type QueueName = keyof typeof JOB_CATALOG;
export type JobName<Q extends QueueName> = keyof (typeof JOB_CATALOG)[Q]['jobs'] & string;
export type JobPayload<Q extends QueueName, N extends JobName<Q>> = z.output<(typeof JOB_CATALOG)[Q]['jobs'][N]>;

export const QUEUE_NAMES = Object.keys(JOB_CATALOG) as QueueName[];

export function jobNamesOf<Q extends QueueName>(queue: Q): JobName<Q>[] {
  return Object.keys(JOB_CATALOG[queue].jobs) as JobName<Q>[];
}

/** The payload schema of a job, or undefined for a name the catalog does not know. */
export function payloadSchemaOf(queue: QueueName, name: string): z.ZodType<object> | undefined {
  const jobs: Record<string, z.ZodType<object>> = JOB_CATALOG[queue].jobs;
  return Object.hasOwn(jobs, name) ? jobs[name] : undefined;
}

import type { JobName, QueueName } from '../queues/job-catalog.js';
import { jobIdOf } from '../queues/job-id.js';
import { type BulkJob, JobQueues } from '../queues/job-queues.js';
import type { OutboxKind, OutboxMessage } from './outbox-message.entity.js';

type JobOf<Q extends QueueName> = { queue: Q; name: JobName<Q> };

/** The job each kind of outbox row becomes; every job carries only the row's id. */
const JOB_OF: Record<OutboxKind, JobOf<'email'> | JobOf<'grace'>> = {
  email_code_sent: { queue: 'email', name: 'send-email-code' },
  mfa_locked_notice: { queue: 'email', name: 'send-mfa-locked-notice' },
  mfa_grace_notice: { queue: 'email', name: 'send-mfa-grace-notice' },
  mfa_reset_link: { queue: 'email', name: 'send-mfa-reset-link' },
  security_notice: { queue: 'email', name: 'send-security-notice' },
  grace_policy_sweep: { queue: 'grace', name: 'grace-policy-sweep' },
};

/** The queue of a row's job and its id, derived from the row: enqueueing a row twice is one job. */
export function outboxJobOf(row: OutboxMessage): { queue: QueueName; jobId: string } {
  return { queue: JOB_OF[row.kind].queue, jobId: jobIdOf('outbox', row.id) };
}

/** Enqueues the rows' jobs, in one round trip per queue. */
export async function enqueueOutboxJobs(queues: JobQueues, rows: readonly OutboxMessage[]): Promise<void> {
  const email: BulkJob<'email'>[] = [];
  const grace: BulkJob<'grace'>[] = [];
  for (const row of rows) {
    const job = JOB_OF[row.kind];
    const options = { jobId: outboxJobOf(row).jobId };
    if (job.queue === 'grace') grace.push({ name: job.name, payload: { outboxId: row.id }, options });
    else email.push({ name: job.name, payload: { outboxId: row.id }, options });
  }
  await queues.addBulk('email', email);
  await queues.addBulk('grace', grace);
}

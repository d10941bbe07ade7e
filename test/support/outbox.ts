import { JobQueues } from '../../src/infra/queues/job-queues.js';
import type { TestApp } from './test-app.js';
import { drainQueues, waitUntil } from './wait.js';

/** The jobs outbox rows become (outbox-relay.ts); a grace deadline's own job is not one of them. */
const OUTBOX_JOBS = [
  'send-email-code',
  'send-mfa-locked-notice',
  'send-mfa-grace-notice',
  'send-mfa-reset-link',
  'send-security-notice',
  'grace-policy-sweep',
];

/**
 * Waits until the outbox work of `tenantId` written so far is done: every row delivered (its mail sent,
 * or its policy sweep run) and no outbox job waiting, running or retrying. After that no mail of the
 * tenant is late: one missing from the inbox was never sent.
 */
export async function outboxDrained(t: TestApp, tenantId: string, timeoutMs?: number): Promise<void> {
  await waitUntil(
    () =>
      t.sql<{ kind: string; relayed_at: Date | null }>(
        'select kind, relayed_at from outbox_messages where tenant_id = $1 and delivered_at is null',
        [tenantId],
      ),
    { what: `every outbox row of tenant ${tenantId} delivered`, until: (rows) => rows.length === 0, timeoutMs },
  );
  await drainQueues(t.app.get(JobQueues).all(), { names: OUTBOX_JOBS, timeoutMs });
}

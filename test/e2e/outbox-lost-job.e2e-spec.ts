import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { LOST_JOB_AFTER_MS, LOST_JOB_LOOK_BACK_MS, OutboxRequeue } from '../../src/infra/outbox/outbox-requeue.js';
import { jobIdOf } from '../../src/infra/queues/job-id.js';
import { JobQueues } from '../../src/infra/queues/job-queues.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Redis replicates asynchronously: a failover can promote a replica that never received a job the old
 * master acknowledged, after its outbox row was marked enqueued. The worker's sweep gives such a row its
 * job back. No worker runs here, so an enqueued job waits in Redis until the test removes it.
 */
describe('outbox rows whose job Redis lost', () => {
  const clock = new ManualClock('2030-04-01T09:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const requeueLost = () => t.app.get(OutboxRequeue).requeueLost();
  const jobOf = (rowId: string) => t.app.get(JobQueues).queue('email').getJob(jobIdOf('outbox', rowId));

  /** A user enrols an e-mail factor: its code's outbox row is committed and its job enqueued. */
  async function anEnqueuedCodeRow(): Promise<string> {
    const user = await aUser(t.http, acme);
    const enrolled = await t.http.post('/v1/me/factors/email', {}, user.token);
    expect(enrolled.status).toBe(201);
    const [row] = await t.sql<{ id: string; relayed_at: Date | null }>(
      'select id, relayed_at from outbox_messages where ref_id in (select id from email_codes where factor_id = $1)',
      [enrolled.body.factorId],
    );
    expect(row?.relayed_at).not.toBeNull();
    expect(await (await jobOf(row!.id))?.getState()).toBe('waiting');
    return row!.id;
  }

  it('enqueues the job again once the row has waited long enough, and only while it is missing', async () => {
    const rowId = await anEnqueuedCodeRow();
    await (await jobOf(rowId))!.remove();

    expect(await requeueLost()).toBe(0);
    clock.advance(LOST_JOB_AFTER_MS + 1000);
    expect(await requeueLost()).toBe(1);
    expect((await jobOf(rowId))?.data).toEqual({ outboxId: rowId });
    expect(await requeueLost()).toBe(0);
  });

  it('leaves alone a row whose job is still there, a delivered row and a row older than a day', async () => {
    const kept = await anEnqueuedCodeRow();
    const delivered = await anEnqueuedCodeRow();
    await (await jobOf(delivered))!.remove();
    await t.sql('update outbox_messages set delivered_at = now() where id = $1', [delivered]);
    clock.advance(LOST_JOB_AFTER_MS + 1000);
    expect(await requeueLost()).toBe(0);
    expect(await (await jobOf(kept))?.getState()).toBe('waiting');
    expect(await jobOf(delivered)).toBeUndefined();

    const old = await anEnqueuedCodeRow();
    await (await jobOf(old))!.remove();
    clock.advance(LOST_JOB_LOOK_BACK_MS + 1000);
    expect(await requeueLost()).toBe(0);
    expect(await jobOf(old)).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { QueueName } from '../../src/infra/queues/job-catalog.js';
import { JobQueues } from '../../src/infra/queues/job-queues.js';
import { OwnRedis } from '../support/own-redis.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';

/**
 * Repeating schedules (outbox sweep, clean-ups, grace sweep, checkpoints) live in Redis. A Redis that
 * comes back without its data (restarted without persistence here; after a failover, a replica that had
 * not received a schedule's next run) gets back every schedule the process set, once it reconnects.
 * The schedules are set through JobQueues as the worker's *.schedule.ts do; no worker runs here.
 */
describe('repeating schedules after Redis comes back empty', () => {
  const SCHEDULES: [QueueName, string][] = [
    ['email', 'outbox-sweep'],
    ['maintenance', 'session-cleanup'],
    ['maintenance', 'mfa-cleanup'],
  ];
  let redis: OwnRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await OwnRedis.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  /** The names of the schedules Redis holds now, of those this test sets or removes. */
  const schedulesInRedis = async () => {
    const queues = t.app.get(JobQueues);
    const found = await Promise.all(
      SCHEDULES.map(async ([queue, name]) => ((await queues.queue(queue).getJobScheduler(name)) ? name : null)),
    );
    return found.filter(Boolean);
  };

  it('upserts every schedule it set again once its connection is back, and none it removed', async () => {
    const queues = t.app.get(JobQueues);
    await queues.schedule('email', 'outbox-sweep', 30_000, {});
    await queues.schedule('maintenance', 'session-cleanup', 15 * 60_000, {});
    await queues.schedule('maintenance', 'mfa-cleanup', 60 * 60_000, {});
    await queues.unschedule('maintenance', 'mfa-cleanup');
    expect(await schedulesInRedis()).toEqual(['outbox-sweep', 'session-cleanup']);

    await redis.stop();
    await redis.start();
    expect(
      await waitUntil(schedulesInRedis, {
        what: 'the schedules back in the restarted Redis',
        timeoutMs: 30_000,
        until: (found) => found.length >= 2,
      }),
    ).toEqual(['outbox-sweep', 'session-cleanup']);
  }, 60_000);
});

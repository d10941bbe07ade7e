import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/infra/redis/redis.js';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AppModule } from '../../src/app/app.module.js';
import { EventBus } from '@nestjs/cqrs';
import { AuditCheckpointsTakenEvent, AuditLog } from '../../src/audit/index.js';
import type { AppConfig } from '../../src/common/app-config.js';
import { ManualClock } from '../../src/common/clock.js';
import { jobIdOf } from '../../src/infra/queues/job-id.js';
import { JobQueues } from '../../src/infra/queues/job-queues.js';
import { bullPrefix } from '../../src/infra/queues/queue-settings.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { createTestDatabase } from '../support/postgres.js';
import { deleteRedisKeys } from '../support/redis.js';
import { testConfig } from '../support/test-env.js';
import { waitUntil } from '../support/wait.js';

const MINUTE = 60_000;
const TENANTS = 3;

describe('the audit checkpoint job', () => {
  const clock = new ManualClock('2030-01-01T00:02:00.000Z');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let app: INestApplicationContext;
  let pool: pg.Pool;
  let events: QueueEvents;
  let eventsConnection: Redis;

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig(db.url, { AUDIT_CHECKPOINT_INTERVAL_MINUTES: '10' });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    // Chains before the workers start: the start-up job must find them.
    const seed = await NestFactory.createApplicationContext(AppModule.forRoot(config, { clock }), { logger: false });
    for (let i = 0; i < TENANTS; i++) {
      await seed
        .get(MikroORM)
        .em.fork()
        .transactional((em) =>
          seed.get(AuditLog).append(em, {
            tenantId: randomUUID(),
            action: 'SomethingHappened',
            outcome: 'success',
            actor: { type: 'system', id: 'test' },
          }),
        );
    }
    await seed.close();
    eventsConnection = createRedis(config.redis, 'test-events');
    events = new QueueEvents('audit-checkpoints', { connection: eventsConnection, prefix: bullPrefix(config) });
    await events.waitUntilReady();
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { clock, extra: [WorkersModule] }), {
      logger: false,
      abortOnError: false,
    });
  });

  afterAll(async () => {
    await events.close();
    eventsConnection.disconnect();
    await app.close();
    await pool.end();
    await db.drop();
    await deleteRedisKeys(config.env.REDIS_KEY_PREFIX);
  });

  const perChain = async () =>
    (
      await pool.query<{ chain_key: string; n: number }>(
        'select chain_key, count(*)::int as n from audit_checkpoints group by chain_key order by chain_key',
      )
    ).rows;

  async function runJob(): Promise<{ chains: number; taken: number }> {
    const job = await app
      .get(JobQueues)
      .add('audit-checkpoints', 'audit-checkpoint', {}, { jobId: jobIdOf('audit-checkpoint-test', randomUUID()) });
    return job.waitUntilFinished(events, 20_000);
  }

  it('checkpoints every chain as soon as a worker starts', async () => {
    const rows = await waitUntil(perChain, {
      what: 'a checkpoint of each chain from the start-up job',
      until: (r) => r.length === TENANTS,
    });
    expect(rows.every((r) => r.n === 1)).toBe(true);
  });

  it('is scheduled to repeat at AUDIT_CHECKPOINT_INTERVAL_MINUTES', async () => {
    const schedulers = await app.get(JobQueues).queue('audit-checkpoints').getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: 'audit-checkpoint', every: 10 * MINUTE })]);
  });

  it('makes nothing more when run again in the same window, and a heartbeat in the next', async () => {
    const published: AuditCheckpointsTakenEvent[] = [];
    const subscription = app
      .get(EventBus)
      .subscribe((event) => event instanceof AuditCheckpointsTakenEvent && published.push(event));
    expect(await runJob()).toEqual({ chains: TENANTS, taken: 0 });
    clock.set('2030-01-01T00:09:59.999Z');
    expect(await runJob()).toEqual({ chains: TENANTS, taken: 0 });
    expect(published).toEqual([]);
    clock.set('2030-01-01T00:10:00.000Z');
    expect(await runJob()).toEqual({ chains: TENANTS, taken: TENANTS });
    subscription.unsubscribe();
    // What wakes the sinks: the chains whose heartbeat was just committed.
    const chains = (await perChain()).map((r) => r.chain_key);
    expect(published).toEqual([expect.objectContaining({ chainKeys: chains, time: '2030-01-01T00:10:00.000Z' })]);
    expect(await runJob()).toEqual({ chains: TENANTS, taken: 0 });
    expect((await perChain()).map((r) => r.n)).toEqual(Array(TENANTS).fill(2));
  });
});

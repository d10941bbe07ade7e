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
import { AuditLog } from '../../src/audit/index.js';
import { SYSTEM_ACTOR } from '../../src/common/actor.js';
import type { AppConfig } from '../../src/common/app-config.js';
import { ManualClock } from '../../src/common/clock.js';
import { jobIdOf } from '../../src/infra/queues/job-id.js';
import { JobQueues } from '../../src/infra/queues/job-queues.js';
import { bullPrefix } from '../../src/infra/queues/queue-settings.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { createTestDatabase } from '../support/postgres.js';
import { deleteRedisKeys } from '../support/redis.js';
import { testConfig } from '../support/test-env.js';
import { watchClose } from '../support/close-watchdog.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('the audit retention job', () => {
  // The database refuses to purge the last day by its own clock: this clock runs at real time.
  const clock = new ManualClock(new Date(Date.now() - 100 * DAY));
  const chainKey = randomUUID();
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let app: INestApplicationContext;
  let pool: pg.Pool;
  let events: QueueEvents;
  let eventsConnection: Redis;

  const withWorkers = (settings: AppConfig) =>
    NestFactory.createApplicationContext(AppModule.forRoot(settings, { clock, extra: [WorkersModule] }), {
      logger: false,
      abortOnError: false,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig(db.url, { AUDIT_RETENTION_DAYS: '30', AUDIT_RETENTION_INTERVAL_MINUTES: '720' });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const seed = await NestFactory.createApplicationContext(AppModule.forRoot(config, { clock }), { logger: false });
    for (let i = 0; i < 3; i++) {
      await seed
        .get(MikroORM)
        .em.fork()
        .transactional((em) =>
          seed.get(AuditLog).append(em, {
            tenantId: chainKey,
            action: 'SomethingHappened',
            outcome: 'success',
            actor: SYSTEM_ACTOR,
          }),
        );
    }
    await seed.close();
    clock.set(new Date());
    eventsConnection = createRedis(config.redis, 'test-events');
    events = new QueueEvents('audit-retention', { connection: eventsConnection, prefix: bullPrefix(config) });
    await events.waitUntilReady();
    app = await withWorkers(config);
  });

  afterAll(async () => {
    // The connection first: QueueEvents blocks on it in XREAD, and closing would wait that out.
    eventsConnection.disconnect();
    await events.close();
    // It hung here once in a full CI run (never alone): the watchdog says where if it happens again.
    if (app) await watchClose(app, db.name);
    await pool.end();
    await db.drop();
    await deleteRedisKeys(config.env.REDIS_KEY_PREFIX);
  });

  it('is scheduled to repeat at AUDIT_RETENTION_INTERVAL_MINUTES', async () => {
    const schedulers = await app.get(JobQueues).queue('audit-retention').getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: 'audit-purge', every: 720 * MINUTE })]);
  });

  it('purges what AUDIT_RETENTION_DAYS lets go, and records the purge on the chain', async () => {
    const job = await app
      .get(JobQueues)
      .add('audit-retention', 'audit-purge', {}, { jobId: jobIdOf('audit-purge-test', randomUUID()) });
    expect(await job.waitUntilFinished(events, 20_000)).toEqual({
      chains: 1,
      purges: 1,
      events: 2,
      checkpoints: 0,
      held: 0,
      broken: 0,
    });
    const rows = await pool.query('select seq::int, action from audit_events where chain_key = $1 order by seq', [
      chainKey,
    ]);
    expect(rows.rows).toEqual([
      { seq: 3, action: 'SomethingHappened' },
      { seq: 4, action: 'AuditRetentionPurged' },
    ]);
  });

  it('drops the schedule when a worker starts with AUDIT_RETENTION_DAYS=0', async () => {
    await app.close();
    const keepForever = testConfig(db.url, {
      AUDIT_RETENTION_DAYS: '0',
      REDIS_KEY_PREFIX: config.env.REDIS_KEY_PREFIX,
    });
    app = await withWorkers(keepForever);
    expect(await app.get(JobQueues).queue('audit-retention').getJobSchedulers()).toEqual([]);
  });
});

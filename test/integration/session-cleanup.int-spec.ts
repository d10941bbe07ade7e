import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue, QueueEvents } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/infra/redis/redis.js';
import { AppModule } from '../../src/app/app.module.js';
import type { AppConfig } from '../../src/common/app-config.js';
import { ManualClock } from '../../src/common/clock.js';
import { TenantScope } from '../../src/common/tenant-scope.js';
import { Tenant } from '../../src/identity/tenant.entity.js';
import { User } from '../../src/identity/user.entity.js';
import { jobIdOf } from '../../src/infra/queues/job-id.js';
import { JobQueues } from '../../src/infra/queues/job-queues.js';
import { bullPrefix } from '../../src/infra/queues/queue-settings.js';
import { Session } from '../../src/sessions/session.entity.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { createTestDatabase } from '../support/postgres.js';
import { testConfig } from '../support/test-env.js';
import { deleteRedisKeys } from '../support/redis.js';
import { waitUntil } from '../support/wait.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const BATCH_SIZE = 2;

describe('the session clean-up job', () => {
  const clock = new ManualClock('2030-01-01T00:00:00.000Z');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let app: INestApplicationContext;
  let events: QueueEvents;
  let eventsConnection: Redis;
  let user: User;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Defaults otherwise: idle timeout 60 minutes, absolute timeout 12 hours.
    config = testConfig(db.url, { SESSION_CLEANUP_BATCH_SIZE: String(BATCH_SIZE) });
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { clock, extra: [WorkersModule] }), {
      logger: false,
      abortOnError: false,
    });
    eventsConnection = createRedis(config.redis, 'test-events');
    events = new QueueEvents('maintenance', { connection: eventsConnection, prefix: bullPrefix(config) });
    await events.waitUntilReady();
    const em = app.get(MikroORM).em.fork();
    const tenant = new Tenant('acme', 'Acme', clock.now());
    user = new User({
      tenantId: tenant.id,
      email: 'ada@acme.example',
      roles: ['member'],
      passwordHash: null,
      now: clock.now(),
    });
    await em.persist(tenant).flush();
    await em.persist(user).flush();
  });

  afterAll(async () => {
    await events.close();
    eventsConnection.disconnect();
    await app.close();
    await db.drop();
    await deleteRedisKeys(config.env.REDIS_KEY_PREFIX);
  });

  /** A session opened `openedAgo` before now, last used `idleFor` before now. */
  function buildSession(now: Date, input: { openedAgo: number; idleFor?: number; revokedAgo?: number }): Session {
    const session = new Session({
      tenantId: user.tenantId,
      userId: user.id,
      tokenHash: randomUUID(),
      amr: ['pwd'],
      device: { deviceType: 'desktop', browser: null, os: null, userAgent: null, ip: null, location: null },
      now: new Date(now.getTime() - input.openedAgo),
      absoluteTimeoutMs: config.absoluteTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
    });
    session.lastActiveAt = new Date(now.getTime() - (input.idleFor ?? 0));
    if (input.revokedAgo !== undefined) session.revoke('user_revoked', new Date(now.getTime() - input.revokedAgo));
    return session;
  }

  async function aSession(
    now: Date,
    input: { openedAgo: number; idleFor?: number; revokedAgo?: number },
  ): Promise<Session> {
    const session = buildSession(now, input);
    await app.get(MikroORM).em.fork().persist(session).flush();
    return session;
  }

  async function runCleanup(): Promise<{ deleted: number }> {
    const job = await app
      .get(JobQueues)
      .add('maintenance', 'session-cleanup', {}, { jobId: jobIdOf('session-cleanup-test', randomUUID()) });
    return job.waitUntilFinished(events, 20_000);
  }

  async function remainingIds(): Promise<string[]> {
    const rows = await TenantScope.run(user.tenantId, () =>
      app.get(MikroORM).em.fork().find(Session, { userId: user.id }),
    );
    return rows.map((s) => s.id).sort();
  }

  it('deletes expired, idle-expired and revoked sessions and keeps the live ones, by the injected clock', async () => {
    clock.advance(24 * HOUR);
    const now = clock.now();
    const live = [
      await aSession(now, { openedAgo: 10 * MINUTE, idleFor: 10 * MINUTE }), // in use
      await aSession(now, { openedAgo: 12 * HOUR - 1000, idleFor: MINUTE }), // a second short of its absolute expiry
      await aSession(now, { openedAgo: 2 * HOUR, idleFor: HOUR - 1000 }), // a second short of its idle timeout
    ];
    const dead = [
      await aSession(now, { openedAgo: 13 * HOUR, idleFor: MINUTE }), // past its absolute expiry, though active
      await aSession(now, { openedAgo: 12 * HOUR, idleFor: MINUTE }), // exactly at its absolute expiry
      await aSession(now, { openedAgo: 3 * HOUR, idleFor: 2 * HOUR }), // idle too long
      await aSession(now, { openedAgo: 2 * HOUR, idleFor: HOUR }), // exactly at its idle timeout
      await aSession(now, { openedAgo: 10 * MINUTE, revokedAgo: 5 * MINUTE }), // revoked
    ];
    // The job must agree with the rule every request applies.
    expect(live.every((s) => s.isActiveAt(now))).toBe(true);
    expect(dead.some((s) => s.isActiveAt(now))).toBe(false);

    expect(await runCleanup()).toEqual({ deleted: dead.length });

    expect(await remainingIds()).toEqual(live.map((s) => s.id).sort());
  });

  it('goes on batch after batch until a batch comes back short', async () => {
    const now = clock.now();
    const before = await remainingIds();
    for (let i = 0; i < 3 * BATCH_SIZE; i++) await aSession(now, { openedAgo: 13 * HOUR, idleFor: MINUTE });

    expect(await runCleanup()).toEqual({ deleted: 3 * BATCH_SIZE });
    expect(await remainingIds()).toEqual(before);

    for (let i = 0; i < 2 * BATCH_SIZE + 1; i++) await aSession(now, { openedAgo: 10 * MINUTE, revokedAgo: MINUTE });
    expect(await runCleanup()).toEqual({ deleted: 2 * BATCH_SIZE + 1 });
    expect(await runCleanup()).toEqual({ deleted: 0 });
    expect(await remainingIds()).toEqual(before);
  });

  it('judges expiry by the injected clock, not the wall clock', async () => {
    // Back in 2001 by the clock, this session is fresh; by the wall clock it expired long ago.
    const saved = clock.now();
    clock.set('2001-01-01T00:00:00.000Z');
    try {
      const session = await aSession(clock.now(), { openedAgo: 0 });
      expect(await runCleanup()).toEqual({ deleted: 0 });
      expect(await remainingIds()).toContain(session.id);
      await TenantScope.run(user.tenantId, () => app.get(MikroORM).em.fork().nativeDelete(Session, { id: session.id }));
    } finally {
      clock.set(saved);
    }
  });

  it('is scheduled once, every SESSION_CLEANUP_INTERVAL_MINUTES, however many workers start (and so is the MFA clean-up)', async () => {
    const queue = app.get(JobQueues).queue('maintenance');
    const second = await NestFactory.createApplicationContext(
      AppModule.forRoot(config, { clock, extra: [WorkersModule] }),
      {
        logger: false,
        abortOnError: false,
      },
    );
    await second.close();

    // One schedule per clean-up job: this one and the MFA clean-up.
    expect(await queue.getJobSchedulersCount()).toBe(2);
    expect(await queue.getJobScheduler('session-cleanup')).toMatchObject({
      name: 'session-cleanup',
      every: config.env.SESSION_CLEANUP_INTERVAL_MINUTES * MINUTE,
    });
    expect(await queue.getJobScheduler('mfa-cleanup')).toMatchObject({
      name: 'mfa-cleanup',
      every: config.env.MFA_CLEANUP_INTERVAL_MINUTES * MINUTE,
    });
    expect(await queue.getDelayedCount()).toBe(2);
  });

  it('finishes the sweep it is running before the worker shuts down', async () => {
    const rows = 300;
    const stoppingConfig = testConfig(db.url, { SESSION_CLEANUP_BATCH_SIZE: '1' });
    const stopping = await NestFactory.createApplicationContext(
      AppModule.forRoot(stoppingConfig, { clock, extra: [WorkersModule] }),
      {
        logger: false,
        abortOnError: false,
      },
    );
    const queueConnection = createRedis(stoppingConfig.redis, 'test-queue');
    const queue = new Queue('maintenance', { connection: queueConnection, prefix: bullPrefix(stoppingConfig) });
    try {
      const now = clock.now();
      const before = await remainingIds();
      const em = app.get(MikroORM).em.fork();
      for (let i = 0; i < rows; i++) em.persist(buildSession(now, { openedAgo: 13 * HOUR, idleFor: MINUTE }));
      await em.flush();

      const { id } = await stopping
        .get(JobQueues)
        .add('maintenance', 'session-cleanup', {}, { jobId: jobIdOf('stopping', randomUUID()) });
      await waitUntil(() => queue.getJobState(id!), { what: 'the clean-up job running', until: (s) => s === 'active' });
      const leftWhenStopping = (await remainingIds()).length - before.length;
      await stopping.close();

      expect(leftWhenStopping).toBeGreaterThan(0);
      const job = await queue.getJob(id!);
      expect(await job!.getState()).toBe('completed');
      expect(job!.returnvalue).toEqual({ deleted: rows });
      expect(await remainingIds()).toEqual(before);
    } finally {
      await queue.close();
      queueConnection.disconnect();
      await deleteRedisKeys(stoppingConfig.env.REDIS_KEY_PREFIX);
    }
  });

  it('fails a job whose payload does not fit its schema at once, without retrying', async () => {
    const queue = app.get(JobQueues).queue('maintenance');
    const job = await queue.add(
      'session-cleanup',
      { batchSize: 1_000_000 },
      { jobId: jobIdOf('bad-payload', randomUUID()) },
    );

    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(
      /invalid payload for maintenance\/session-cleanup/,
    );
    const failed = await queue.getJob(job.id!);
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.attemptsMade).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, Module, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { AppModule } from '../../src/app/app.module.js';
import type { AppConfig } from '../../src/common/app-config.js';
import { JobQueues } from '../../src/infra/queues/job-queues.js';
import { OnJob } from '../../src/infra/queues/on-job.decorator.js';
import { QueueWorkersModule } from '../../src/infra/queues/queue-workers.module.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { createTestDatabase } from '../support/postgres.js';
import { testConfig } from '../support/test-env.js';
import { deleteRedisKeys } from '../support/redis.js';

@Injectable()
class SecondSessionCleanupProcessor {
  @OnJob('maintenance', 'session-cleanup')
  async sweep(): Promise<{ deleted: number }> {
    return { deleted: 0 };
  }
}

@Module({ providers: [SecondSessionCleanupProcessor] })
class SecondSessionCleanupModule {}

@Injectable()
class RenamedJobProcessor {
  // The catalog's types forbid this; a job renamed in the catalog but not here gets past them with a cast.
  @OnJob('maintenance', 'session-sweep' as 'session-cleanup')
  async sweep(): Promise<void> {}
}

@Module({ providers: [RenamedJobProcessor] })
class RenamedJobModule {}

/**
 * A boot that fails in onModuleInit never hands back the context, so nothing would close the
 * connections already opened; this provider keeps hold of them for the test to close.
 */
const opened: OpenedConnections[] = [];

@Injectable()
class OpenedConnections {
  constructor(
    @Inject(MikroORM) readonly orm: MikroORM,
    @Inject(Redis) readonly redis: Redis,
    @Inject(JobQueues) readonly queues: JobQueues,
  ) {
    opened.push(this);
  }

  async close(): Promise<void> {
    await this.queues.onApplicationShutdown();
    await this.orm.close(true);
    this.redis.disconnect();
  }
}

@Module({ imports: [QueueWorkersModule], providers: [OpenedConnections] })
class ConnectionsProbeModule {}

describe('the job registry at worker boot', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig(db.url);
  });

  afterAll(async () => {
    await db.drop();
    await deleteRedisKeys(config.env.REDIS_KEY_PREFIX);
  });

  /** Boots a worker with `extra`; resolves to the boot error, or undefined when it started (and is closed again). */
  async function bootError(extra: NonNullable<ModuleMetadata['imports']>): Promise<Error | undefined> {
    try {
      const app = await NestFactory.createApplicationContext(
        AppModule.forRoot(config, { extra: [...extra, ConnectionsProbeModule] }),
        {
          logger: false,
          abortOnError: false,
        },
      );
      opened.length = 0;
      await app.close();
      return undefined;
    } catch (error) {
      await Promise.all(opened.splice(0).map((connections) => connections.close()));
      return error as Error;
    }
  }

  it('starts when every job of the catalog has exactly one handler', async () => {
    expect(await bootError([WorkersModule])).toBeUndefined();
  });

  it('refuses to start when a job has no handler, naming the job', async () => {
    const error = await bootError([QueueWorkersModule]);

    expect(error?.message).toBe(
      'Job handlers do not match the job catalog: maintenance/session-cleanup has no handler; ' +
        'maintenance/mfa-cleanup has no handler; grace/grace-sweep has no handler; ' +
        'grace/grace-policy-sweep has no handler; grace/grace-deadline has no handler; ' +
        'email/send-email-code has no handler; email/send-mfa-locked-notice has no handler; ' +
        'email/send-mfa-grace-notice has no handler; email/send-mfa-reset-link has no handler; ' +
        'email/send-security-notice has no handler; email/outbox-sweep has no handler; ' +
        'audit-stream/deliver-chain has no handler; audit-retention/audit-purge has no handler; ' +
        'audit-checkpoints/audit-checkpoint has no handler',
    );
  });

  it('refuses to start when a job has two handlers, naming both', async () => {
    const error = await bootError([WorkersModule, SecondSessionCleanupModule]);

    expect(error?.message).toMatch(
      /^Job handlers do not match the job catalog: maintenance\/session-cleanup has 2 handlers \(/,
    );
    expect(error?.message).toContain('SessionCleanupProcessor.deleteExpiredSessions');
    expect(error?.message).toContain('SecondSessionCleanupProcessor.sweep');
  });

  it('refuses to start when a handler claims a job the catalog does not have', async () => {
    const error = await bootError([WorkersModule, RenamedJobModule]);

    expect(error?.message).toBe(
      'Job handlers do not match the job catalog: RenamedJobProcessor.sweep handles maintenance/session-sweep, which is not in the job catalog',
    );
  });
});

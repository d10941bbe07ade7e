import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../common/app-config.js';
import { createRedis } from '../redis/redis.js';
import { JOB_CATALOG, payloadSchemaOf, QUEUE_NAMES, type QueueName } from './job-catalog.js';
import { JobRegistry } from './job-registry.js';
import { bullPrefix } from './queue-settings.js';

/**
 * One BullMQ worker per queue of the catalog, started once the application is up and closed before
 * anything it depends on (the database) shuts down: close waits for the jobs already running.
 */
@Injectable()
export class QueueWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Workers');
  private readonly workers: Worker[] = [];
  private connection: Redis | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: JobRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.connection = createRedis(this.config.redis, 'workers');
    this.connection.on('error', (error: Error) => this.logger.error(`worker connection: ${error.message}`));
    for (const queue of QUEUE_NAMES) this.workers.push(this.start(queue, this.connection));
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.close()));
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }

  private start(queue: QueueName, connection: Redis): Worker {
    const worker = new Worker(queue, (job) => this.process(queue, job), {
      connection,
      prefix: bullPrefix(this.config),
      concurrency: JOB_CATALOG[queue].concurrency,
      // A live worker renews its claim every half period; a killed one stops, and another worker
      // takes the job back (stalled) within about two periods: a crash delays a job, never loses it.
      lockDuration: this.config.env.JOB_LOCK_SECONDS * 1000,
      stalledInterval: this.config.env.JOB_LOCK_SECONDS * 1000,
    });
    worker.on('failed', (job, error) =>
      this.logger.warn(`${queue}/${job?.name ?? '?'} ${job?.id ?? ''} failed: ${error.message}`),
    );
    worker.on('error', (error) => this.logger.error(`worker ${queue}: ${error.message}`));
    return worker;
  }

  private async process(queue: QueueName, job: Job): Promise<unknown> {
    const handler = this.registry.handlerFor(queue, job.name);
    // Retrying cannot fix a job nobody handles or a payload that does not fit its schema.
    if (!handler) throw new UnrecoverableError(`no handler for ${queue}/${job.name}`);
    const payload = payloadSchemaOf(queue, job.name)!.safeParse(job.data);
    if (!payload.success) {
      throw new UnrecoverableError(`invalid payload for ${queue}/${job.name}: ${payload.error.issues[0]?.message}`);
    }
    return handler(payload.data, job);
  }
}

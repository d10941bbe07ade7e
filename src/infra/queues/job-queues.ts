import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../common/app-config.js';
import { createRedis } from '../redis/redis.js';
import { type JobName, type JobPayload, payloadSchemaOf, QUEUE_NAMES, type QueueName } from './job-catalog.js';
import { bullPrefix, DEFAULT_JOB_OPTIONS } from './queue-settings.js';

/** One job of `JobQueues.addBulk`. */
export interface BulkJob<Q extends QueueName> {
  name: JobName<Q>;
  payload: JobPayload<Q, JobName<Q>>;
  options: { jobId: string; delay?: number };
}

/** The producer side of every queue in the catalog: typed enqueueing and schedules. */
@Injectable()
export class JobQueues implements OnApplicationShutdown {
  private readonly logger = new Logger('Queues');
  private readonly connection: Redis;
  private readonly queues: Map<QueueName, Queue>;
  /** The repeating schedules this process set, by `queue/name`: each upserts its own again. */
  private readonly schedules = new Map<string, () => Promise<unknown>>();

  constructor(config: AppConfig) {
    this.connection = createRedis(config.redis, 'queues');
    this.connection.on('error', (error: Error) => this.logger.error(`queue connection: ${error.message}`));
    // A Redis back without its data (a failover to a replica that had not received a schedule's next run,
    // a restart without persistence) would stop a repeating schedule until a worker restarts: every
    // schedule this process set is upserted again whenever its connection comes back.
    let lost = false;
    this.connection.on('close', () => (lost = true));
    this.connection.on('ready', () => {
      if (!lost) return;
      lost = false;
      void this.reschedule();
    });
    this.queues = new Map(
      QUEUE_NAMES.map((name) => {
        const queue = new Queue(name, {
          connection: this.connection,
          prefix: bullPrefix(config),
          defaultJobOptions: DEFAULT_JOB_OPTIONS,
        });
        queue.on('error', (error) => this.logger.error(`queue ${name}: ${error.message}`));
        return [name, queue];
      }),
    );
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  /** Enqueues a job; `jobId` comes from `jobIdOf(...)`, so enqueueing the same work twice is one job. */
  async add<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    payload: JobPayload<Q, N>,
    options: { jobId: string; delay?: number },
  ): Promise<Job> {
    const data = payloadSchemaOf(queue, name)!.parse(payload);
    return this.queue(queue).add(name, data, options);
  }

  /**
   * Enqueues a job that stands for "there may be work for `key`": while one waits, adding it again is a
   * no-op; while one runs, one more is kept to run after it (so work that arrived meanwhile is not
   * missed), and two never run at once.
   */
  async wake<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    payload: JobPayload<Q, N>,
    key: string,
  ): Promise<void> {
    const data = payloadSchemaOf(queue, name)!.parse(payload);
    await this.queue(queue).add(name, data, {
      deduplication: { id: key, keepLastIfActive: true },
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600, count: 1000 },
    });
  }

  /**
   * Enqueues several jobs of one queue in one round trip; each keeps its own `jobId`, so a job enqueued
   * before is still one job (as with `add`).
   */
  async addBulk<Q extends QueueName>(queue: Q, jobs: readonly BulkJob<Q>[]): Promise<void> {
    if (jobs.length === 0) return;
    const bulk = jobs.map(({ name, payload, options }) => ({
      name,
      data: payloadSchemaOf(queue, name)!.parse(payload),
      opts: options,
    }));
    await this.queue(queue).addBulk(bulk);
  }

  /**
   * Creates or updates the repeating schedule of a job; its id is the job name, so every worker that
   * starts upserts the same schedule and a restart does not add a second one.
   */
  async schedule<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    everyMs: number,
    payload: JobPayload<Q, N>,
  ): Promise<void> {
    const data = payloadSchemaOf(queue, name)!.parse(payload);
    // Only read when the schedule is new: its first run is one interval away, so a fleet that starts
    // together does not open with a sweep; an existing schedule keeps its own rhythm.
    const upsert = () =>
      this.queue(queue).upsertJobScheduler(name, { every: everyMs, startDate: Date.now() + everyMs }, { name, data });
    this.schedules.set(`${queue}/${name}`, upsert);
    await upsert();
  }

  /** Removes a repeating schedule (a setting turned the work off); a no-op when there is none. */
  async unschedule<Q extends QueueName>(queue: Q, name: JobName<Q>): Promise<void> {
    this.schedules.delete(`${queue}/${name}`);
    await this.queue(queue).removeJobScheduler(name);
  }

  private async reschedule(): Promise<void> {
    for (const [key, upsert] of this.schedules) {
      await upsert().catch((error: Error) => this.logger.error(`schedule ${key} not restored: ${error.message}`));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

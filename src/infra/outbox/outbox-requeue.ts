import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { JobQueues } from '../queues/job-queues.js';
import { enqueueOutboxJobs, outboxJobOf } from './outbox-jobs.js';
import { OutboxMessage } from './outbox-message.entity.js';

/** Far longer than a healthy queue takes to start a job: a row still undelivered by then is worth a look. */
export const LOST_JOB_AFTER_MS = 5 * 60_000;
/**
 * Rows older than this are left alone: BullMQ keeps a failed job for 7 days (queue-settings.ts), so within a
 * day a row whose job failed for good still finds it there and is not sent again and again.
 */
export const LOST_JOB_LOOK_BACK_MS = 24 * 3600_000;
const BATCH = 100;

/**
 * Enqueues again the jobs Redis lost after their rows were marked enqueued. Redis replicates
 * asynchronously: a failover to a replica (or a Redis restarted without its data) drops what the old
 * master had acknowledged but not passed on. The row is the truth: one enqueued a while ago, still not
 * delivered, whose job Redis no longer has, gets its job back. A job that still exists (waiting,
 * retrying, failed) has the same id and is left alone; a delivered row's job does nothing.
 */
@Injectable()
export class OutboxRequeue {
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly orm: MikroORM,
    private readonly queues: JobQueues,
    private readonly clock: Clock,
  ) {}

  /** Returns how many rows got their job back. */
  requeueLost(): Promise<number> {
    return TenantScope.acrossTenants("the outbox is every tenant's delivery queue", () => this.requeueAll());
  }

  private async requeueAll(): Promise<number> {
    const now = this.clock.now().getTime();
    const em = this.orm.em.fork();
    let requeued = 0;
    let after: { relayedAt: Date; id: string } | null = null;
    for (;;) {
      const cursor: object = after
        ? { $or: [{ relayedAt: { $gt: after.relayedAt } }, { relayedAt: after.relayedAt, id: { $gt: after.id } }] }
        : {};
      const batch = await em.find(
        OutboxMessage,
        {
          deliveredAt: null,
          relayedAt: { $lt: new Date(now - LOST_JOB_AFTER_MS) },
          createdAt: { $gt: new Date(now - LOST_JOB_LOOK_BACK_MS) },
          ...cursor,
        },
        { orderBy: { relayedAt: 'asc', id: 'asc' }, limit: BATCH },
      );
      const lost = await this.withoutJob(batch);
      await enqueueOutboxJobs(this.queues, lost);
      requeued += lost.length;
      if (batch.length < BATCH) break;
      const last = batch.at(-1)!;
      after = { relayedAt: last.relayedAt!, id: last.id };
      em.clear();
    }
    if (requeued > 0) this.logger.warn(`outbox: ${requeued} row(s) enqueued again, their jobs were no longer in Redis`);
    return requeued;
  }

  private async withoutJob(rows: readonly OutboxMessage[]): Promise<OutboxMessage[]> {
    const jobs = await Promise.all(
      rows.map((row) => {
        const { queue, jobId } = outboxJobOf(row);
        return this.queues.queue(queue).getJob(jobId);
      }),
    );
    return rows.filter((_, i) => jobs[i] === undefined);
  }
}

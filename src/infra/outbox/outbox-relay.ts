import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { deleteInBatches } from '../database/delete-in-batches.js';
import { JobQueues } from '../queues/job-queues.js';
import { enqueueOutboxJobs } from './outbox-jobs.js';
import { OutboxMessage } from './outbox-message.entity.js';

/**
 * The outbox is every tenant's delivery queue, read by row id or by age: a row carries ids only, and
 * the job made of it enters the row's tenant (see deliverMailOnce).
 */
const acrossTenants = <T>(work: () => Promise<T>) =>
  TenantScope.acrossTenants("the outbox is every tenant's delivery queue", work);

/** How often the workers look for rows committed but never enqueued (a crash between commit and enqueue). */
export const OUTBOX_SWEEP_INTERVAL_MS = 30_000;
const SWEEP_BATCH = 100;

/**
 * Moves committed outbox rows onto their queue (`email`, or `grace` for a policy change's sweep). Called right after a commit, and by a periodic
 * sweep for rows that call never reached: kill -9 between commit and enqueue delays the work, never
 * loses it. The job id is derived from the row id, so relaying a row twice (the two paths racing, a
 * retried sweep) is still one job.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly orm: MikroORM,
    private readonly queues: JobQueues,
    private readonly clock: Clock,
  ) {}

  /** After a commit: best effort, never throws — a failure here is what the sweep is for. */
  relayNow(ids: readonly string[]): Promise<void> {
    return acrossTenants(() => this.relayEach(ids));
  }

  private async relayEach(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += SWEEP_BATCH) {
      const em = this.orm.em.fork();
      const chunk = ids.slice(i, i + SWEEP_BATCH);
      const rows = await em.find(OutboxMessage, { id: { $in: chunk }, relayedAt: null }).catch(() => []);
      await this.relay(rows).catch((error: Error) =>
        this.logger.warn(`outbox ${rows.length} row(s) not enqueued yet (the sweep will retry): ${error.message}`),
      );
    }
  }

  /** Relays every row not yet enqueued, oldest first, in keyset batches; returns how many it relayed. */
  sweep(): Promise<number> {
    return acrossTenants(() => this.sweepAll());
  }

  private async sweepAll(): Promise<number> {
    const em = this.orm.em.fork();
    let relayed = 0;
    let after: { createdAt: Date; id: string } | null = null;
    for (;;) {
      const cursor: object = after
        ? { $or: [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, id: { $gt: after.id } }] }
        : {};
      const batch = await em.find(
        OutboxMessage,
        { relayedAt: null, ...cursor },
        { orderBy: { createdAt: 'asc', id: 'asc' }, limit: SWEEP_BATCH },
      );
      await this.relay(batch);
      relayed += batch.length;
      if (batch.length < SWEEP_BATCH) return relayed;
      const last = batch.at(-1)!;
      after = { createdAt: last.createdAt, id: last.id };
      em.clear();
    }
  }

  /** Marks the row's work done; false when another run already did (the caller then must not repeat it). */
  async markDelivered(id: string): Promise<boolean> {
    const em = this.orm.em.fork();
    const marked = await acrossTenants(() =>
      em.nativeUpdate(OutboxMessage, { id, deliveredAt: null }, { deliveredAt: this.clock.now() }),
    );
    return marked === 1;
  }

  /** Deletes rows whose work was done before `before`, in batches; returns how many went. */
  purgeDelivered(before: Date, batchSize: number): Promise<number> {
    return deleteInBatches(this.orm.em.fork(), 'outbox_messages', 'delivered_at < ?', [before], batchSize);
  }

  find(id: string): Promise<OutboxMessage | null> {
    return acrossTenants(() => this.orm.em.fork().findOne(OutboxMessage, { id }));
  }

  /** Enqueues the rows' jobs, in one round trip per queue, then marks the rows relayed in one statement. */
  private async relay(rows: readonly OutboxMessage[]): Promise<void> {
    if (rows.length === 0) return;
    await enqueueOutboxJobs(this.queues, rows);
    await this.orm.em
      .fork()
      .nativeUpdate(
        OutboxMessage,
        { id: { $in: rows.map((row) => row.id) }, relayedAt: null },
        { relayedAt: this.clock.now() },
      );
  }
}

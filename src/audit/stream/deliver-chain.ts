import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { AppConfig } from '../../common/app-config.js';
import { Clock } from '../../common/clock.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { AuditSink } from './audit-sink.entity.js';
import { SinkCursors, type LeasedCursor } from './sink-cursors.js';
import { SinkIncidents } from './sink-incidents.js';
import { SinkTransports } from './sink-transports.js';
import type { Delivery } from './sink-transport.js';
import { StreamReader, type NextBatch } from './stream-reader.js';
import { AuditBatchDeliveredEvent, AuditBatchFailedEvent } from './delivery.events.js';
import { retryDelayMs } from './retry-delay.js';

/** How a delivery run ended; the worker re-queues a retry at `retryAt`, and a look at a held pair at `until`. */
export type DeliveryRun =
  | { ended: 'caught_up' | 'not_due' | 'lease_lost' | 'parked' | 'disabled' | 'paused' }
  | { ended: 'retry'; retryAt: Date }
  | { ended: 'leased'; until: Date };

/**
 * Delivers one chain to one sink, in seq order, at least once: leases the cursor, sends batch after batch
 * from the audit table and moves the cursor only after the receiver acknowledged each. A failure ends the
 * run: a retry later (backoff with jitter, Retry-After honoured, the same batch resent), a park at the
 * refused event, or the sink disabled (410) or paused (failing for too long).
 */
@Injectable()
export class DeliverChain {
  private readonly logger = new Logger('AuditStream');

  constructor(
    private readonly orm: MikroORM,
    private readonly cursors: SinkCursors,
    private readonly reader: StreamReader,
    private readonly transports: SinkTransports,
    private readonly incidents: SinkIncidents,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async run(sinkId: string, chainKey: string): Promise<DeliveryRun> {
    const leaseMs = this.leaseMs();
    const now = this.clock.now();
    const cursor = await this.cursors.lease(sinkId, chainKey, now, leaseMs);
    if (!cursor) {
      const until = await this.cursors.leasedUntil(sinkId, chainKey, now);
      return until ? { ended: 'leased', until } : { ended: 'not_due' };
    }
    try {
      let sink = await this.sinkOf(sinkId);
      if (!sink) return { ended: 'not_due' };
      for (;;) {
        const next = await this.reader.next(cursor, sink.batchSize);
        if (!next) return { ended: 'caught_up' };
        // Read again after the batch: a secret rotation commits with its own audit event, so a batch holding
        // that event (or anything after it) is signed with the new secret too, never with the old alone.
        sink = await this.sinkOf(sinkId);
        if (!sink) return { ended: 'not_due' };
        const started = performance.now();
        const delivery = await this.transports.for(sink).deliver(next.batch);
        const outcome = await this.settle(sink, cursor, next, delivery, performance.now() - started);
        if (outcome) return outcome;
        if (!(await this.cursors.renew(cursor, this.clock.now(), leaseMs))) return { ended: 'lease_lost' };
      }
    } finally {
      await this.cursors.release(cursor);
    }
  }

  private sinkOf(sinkId: string): Promise<AuditSink | null> {
    return TenantScope.acrossTenants('a delivery reads its sink by id', () =>
      this.orm.em.fork().findOne(AuditSink, { id: sinkId }),
    );
  }

  /** Records what the receiver said; null when the run goes on with the next batch. */
  private async settle(
    sink: AuditSink,
    cursor: LeasedCursor,
    next: NextBatch,
    delivery: Delivery,
    elapsedMs: number,
  ): Promise<DeliveryRun | null> {
    const now = this.clock.now();
    const { items } = next.batch;
    const firstSeq = cursor.deliveredSeq + 1;
    const where = `sink ${sink.id} (${sink.name}) chain ${cursor.chainKey} seq ${firstSeq}-${next.throughSeq}`;
    if (delivery.outcome === 'acknowledged') {
      if (!(await this.cursors.acknowledged(cursor, next.throughSeq, next.throughCheckpoint, now))) {
        return { ended: 'lease_lost' };
      }
      const events = items.filter((item) => item.kind === 'event').length;
      this.events.publish(new AuditBatchDeliveredEvent(sink.id, cursor.chainKey, items.length, elapsedMs, events));
      return null;
    }
    this.events.publish(new AuditBatchFailedEvent(sink.id, cursor.chainKey, delivery.outcome));
    this.logger.warn(`${where}: ${delivery.outcome}: ${delivery.error}`);
    if (delivery.outcome === 'gone') {
      await this.incidents.disable(sink, cursor.chainKey, delivery.error);
      return { ended: 'disabled' };
    }
    if (delivery.outcome === 'rejected') {
      if (items.length > 1) {
        // Which event did the receiver refuse? Send them one by one to find it, at once.
        await this.cursors.oneByOne(cursor, next.throughSeq);
        return null;
      }
      await this.cursors.park(cursor, firstSeq, delivery.error, now);
      await this.incidents.parked(sink, cursor.chainKey, firstSeq, delivery.error);
      return { ended: 'parked' };
    }
    const failingSince = cursor.failingSince ?? now;
    if (now.getTime() - failingSince.getTime() >= this.config.env.AUDIT_STREAM_PAUSE_AFTER_HOURS * 3_600_000) {
      await this.cursors.failed(
        cursor,
        { error: delivery.error, pinnedThroughSeq: next.throughSeq, nextAttemptAt: now },
        now,
      );
      await this.incidents.pauseFailing(sink, cursor.chainKey, failingSince, delivery.error);
      return { ended: 'paused' };
    }
    const retryAt = new Date(now.getTime() + retryDelayMs(cursor.consecutiveFailures + 1, delivery.retryAfterMs));
    await this.cursors.failed(
      cursor,
      { error: delivery.error, pinnedThroughSeq: next.throughSeq, nextAttemptAt: retryAt },
      now,
    );
    return { ended: 'retry', retryAt };
  }

  /**
   * Past a batch's worst case (the request's timeout, then Splunk's acknowledgement wait of twice that),
   * renewed after each batch: a worker killed mid-batch holds the chain only this long.
   */
  private leaseMs(): number {
    return this.config.env.AUDIT_STREAM_TIMEOUT_SECONDS * 4_000 + 5_000;
  }
}

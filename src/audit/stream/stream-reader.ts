import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditEvent } from '../audit-event.entity.js';
import { toAuditEventView } from '../queries/list-audit-events.handler.js';
import { TenantScope } from '../../common/tenant-scope.js';
import type { LeasedCursor } from './sink-cursors.js';
import type { StreamBatch } from './sink-transport.js';
import type { StreamItem } from './stream-item.js';

/** The next batch of a chain for one sink, and where the cursor stands once the receiver took it. */
export interface NextBatch {
  batch: StreamBatch;
  throughSeq: number;
  throughCheckpoint: number;
}

/**
 * Reads a sink's next batch straight from the audit table (the table is the outbox): the events after the
 * cursor in seq order. A failed batch's retry reads exactly the same range (the pinned seq), so it goes out
 * under the same id; after a refused batch the events go one at a time.
 */
@Injectable()
export class StreamReader {
  constructor(private readonly orm: MikroORM) {}

  async next(cursor: LeasedCursor, batchSize: number): Promise<NextBatch | null> {
    const after = cursor.deliveredSeq;
    const oneByOne = cursor.oneByOneThroughSeq !== null && cursor.oneByOneThroughSeq > after;
    const limit = oneByOne ? 1 : batchSize;
    const through = cursor.pinnedThroughSeq;
    const events = await TenantScope.acrossTenants('a sink reads its chain by key', () =>
      this.orm.em.fork().find(
        AuditEvent,
        {
          chainKey: cursor.chainKey,
          seq: through === null ? { $gt: String(after) } : { $gt: String(after), $lte: String(through) },
        },
        { orderBy: { seq: 'asc' }, limit },
      ),
    );
    if (events.length === 0) return null;
    const items: StreamItem[] = events.map((e) => ({ kind: 'event', event: toAuditEventView(e) }));
    const first = events[0]!;
    const last = events.at(-1)!;
    return {
      batch: { id: items.length === 1 ? first.id : `${first.id}_${last.seq}`, items },
      throughSeq: Number(last.seq),
      throughCheckpoint: cursor.deliveredCheckpoint,
    };
  }
}

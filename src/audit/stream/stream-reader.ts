import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditEvent } from '../audit-event.entity.js';
import { AuditCheckpointReader } from '../checkpoints/checkpoint-reader.js';
import { streamItemId } from '../formats/index.js';
import { toAuditEventView } from '../queries/list-audit-events.handler.js';
import { TenantScope } from '../../common/tenant-scope.js';
import type { LeasedCursor } from './sink-cursors.js';
import type { StreamBatch } from './sink-transport.js';
import type { AuditCheckpointView, StreamItem } from './stream-item.js';

/** The next batch of a chain for one sink, and where the cursor stands once the receiver took it. */
export interface NextBatch {
  batch: StreamBatch;
  throughSeq: number;
  throughCheckpoint: number;
}

/**
 * Reads a sink's next batch straight from the audit tables (they are the outbox): the events after the
 * cursor in seq order, each signed checkpoint right after the event it covers (an idle chain's heartbeat
 * alone when no event is new). A failed batch's retry reads the same events (the pinned seq); after a
 * refused batch the events go one at a time.
 */
@Injectable()
export class StreamReader {
  constructor(
    private readonly orm: MikroORM,
    private readonly checkpoints: AuditCheckpointReader,
  ) {}

  async next(cursor: LeasedCursor, batchSize: number): Promise<NextBatch | null> {
    const events = await this.events(cursor, batchSize);
    const throughSeq = events.length ? Number(events.at(-1)!.seq) : cursor.deliveredSeq;
    const checkpoints = await this.checkpoints.list(cursor.chainKey, {
      after: cursor.deliveredCheckpoint,
      upToSeq: throughSeq,
      limit: batchSize,
    });
    if (events.length === 0 && checkpoints.length === 0) return null;
    const items = inChainOrder(events, checkpoints);
    const throughCheckpoint = checkpoints.at(-1)?.number ?? cursor.deliveredCheckpoint;
    const id =
      items.length === 1 ? streamItemId(items[0]!) : `${streamItemId(items[0]!)}_${throughSeq}_${throughCheckpoint}`;
    return { batch: { id, items }, throughSeq, throughCheckpoint };
  }

  private events(cursor: LeasedCursor, batchSize: number): Promise<AuditEvent[]> {
    const after = cursor.deliveredSeq;
    const oneByOne = cursor.oneByOneThroughSeq !== null && cursor.oneByOneThroughSeq > after;
    const through = cursor.pinnedThroughSeq;
    return TenantScope.acrossTenants('a sink reads its chain by key', () =>
      this.orm.em.fork().find(
        AuditEvent,
        {
          chainKey: cursor.chainKey,
          seq: through === null ? { $gt: String(after) } : { $gt: String(after), $lte: String(through) },
        },
        { orderBy: { seq: 'asc' }, limit: oneByOne ? 1 : batchSize },
      ),
    );
  }
}

/** Events in seq order, each checkpoint placed after the event whose seq it covers. */
function inChainOrder(events: readonly AuditEvent[], checkpoints: readonly AuditCheckpointView[]): StreamItem[] {
  const items: StreamItem[] = [];
  let k = 0;
  const checkpointsThrough = (seq: number) => {
    while (k < checkpoints.length && checkpoints[k]!.seq <= seq)
      items.push({ kind: 'checkpoint', checkpoint: checkpoints[k++]! });
  };
  checkpointsThrough(events.length ? Number(events[0]!.seq) - 1 : Number.MAX_SAFE_INTEGER);
  for (const event of events) {
    items.push({ kind: 'event', event: toAuditEventView(event) });
    checkpointsThrough(Number(event.seq));
  }
  return items;
}

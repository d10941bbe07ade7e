import type { EntityManager } from '@mikro-orm/postgresql';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PLATFORM_CHAIN } from '../audit-log.js';

/** Where one sink stands on one chain, as a delivery holds it under its lease. */
export interface LeasedCursor {
  sinkId: string;
  chainKey: string;
  leaseToken: string;
  deliveredSeq: number;
  deliveredCheckpoint: number;
  pinnedThroughSeq: number | null;
  oneByOneThroughSeq: number | null;
  consecutiveFailures: number;
  failingSince: Date | null;
}

/** A failed attempt, as the cursor records it. */
export interface FailedAttempt {
  error: string;
  /** The failed batch's last seq: the retry resends exactly that range. */
  pinnedThroughSeq: number;
  nextAttemptAt: Date;
}

const LEASED_COLUMNS = `c.sink_id, c.chain_key, c.lease_token, c.delivered_seq, c.delivered_checkpoint,
  c.pinned_through_seq, c.one_by_one_through_seq, c.consecutive_failures, c.failing_since`;

/**
 * The delivery position of each sink on each chain, in PostgreSQL: what the receiver acknowledged is what
 * counts, whatever Redis or a killed worker lost. A delivery leases the row, so two workers never send one
 * chain to one sink at once (order holds even if the queue's own de-duplication was flushed with Redis),
 * and every write after the lease is fenced by its token: a delivery whose lease ran out changes nothing.
 */
@Injectable()
export class SinkCursors {
  constructor(private readonly orm: MikroORM) {}

  /**
   * A new sink's cursors: a tenant sink's chain, or every existing chain for a platform sink; from the start
   * of each chain, or from its current head and newest checkpoint.
   */
  async open(em: EntityManager, sinkId: string, tenantId: string | null, fromStart: boolean): Promise<void> {
    // A tenant sink's one chain; a platform sink's every chain, the platform's own included even before its
    // first event (the sink's creation is about to be one).
    await em.execute(
      `insert into audit_sink_cursors (sink_id, chain_key, delivered_seq, delivered_checkpoint)
       select ?, k.chain_key, case when ? then 0 else coalesce(h.last_seq, 0) end,
              case when ? then 0 else coalesce((select max(c.number) from audit_checkpoints c
                                                 where c.chain_key = k.chain_key), 0) end
         from (select chain_key from audit_chains where ?::text is null
               union select coalesce(?::text, ?)) k
         left join audit_chains h on h.chain_key = k.chain_key
       on conflict do nothing`,
      [sinkId, fromStart, fromStart, tenantId, tenantId, PLATFORM_CHAIN],
    );
  }

  /**
   * Takes the cursor for one delivery, or null: the sink is not active, the chain is parked, a retry is not
   * due yet, or another delivery holds it.
   */
  async lease(sinkId: string, chainKey: string, now: Date, leaseMs: number): Promise<LeasedCursor | null> {
    const rows = await this.orm.em.fork().execute<Record<string, unknown>[]>(
      `update audit_sink_cursors c set lease_token = ?, lease_until = ?
         from audit_sinks s
        where c.sink_id = ? and c.chain_key = ? and s.id = c.sink_id and s.state = 'active'
          and c.parked_seq is null
          and (c.next_attempt_at is null or c.next_attempt_at <= ?)
          and (c.lease_until is null or c.lease_until < ?)
       returning ${LEASED_COLUMNS}`,
      [randomUUID(), new Date(now.getTime() + leaseMs), sinkId, chainKey, now, now],
    );
    return rows[0] ? leasedOf(rows[0]) : null;
  }

  /**
   * When a pair that `lease` refused is otherwise due but held by a lease, the lease's end: a delivery still
   * running renews it, one cut short (its worker killed, or PostgreSQL gone before it could release) left it
   * to run out, and someone must look again then.
   */
  async leasedUntil(sinkId: string, chainKey: string, now: Date): Promise<Date | null> {
    const rows = await this.orm.em.fork().execute<{ lease_until: Date }[]>(
      `select c.lease_until from audit_sink_cursors c join audit_sinks s on s.id = c.sink_id
        where c.sink_id = ? and c.chain_key = ? and s.state = 'active' and c.parked_seq is null
          and (c.next_attempt_at is null or c.next_attempt_at <= ?) and c.lease_until >= ?`,
      [sinkId, chainKey, now, now],
    );
    return rows[0] ? new Date(rows[0].lease_until) : null;
  }

  /** Keeps a long catch-up's lease; false when it was lost (then the delivery must stop). */
  async renew(cursor: LeasedCursor, now: Date, leaseMs: number): Promise<boolean> {
    const rows = await this.fenced(cursor, 'lease_until = ?', [new Date(now.getTime() + leaseMs)]);
    return rows > 0;
  }

  /** The receiver took everything through `seq` (and through checkpoint `checkpoint`). */
  async acknowledged(cursor: LeasedCursor, seq: number, checkpoint: number, now: Date): Promise<boolean> {
    const rows = await this.fenced(
      cursor,
      `delivered_seq = ?, delivered_checkpoint = ?, pinned_through_seq = null,
       one_by_one_through_seq = case when one_by_one_through_seq > ? then one_by_one_through_seq end,
       consecutive_failures = 0, failing_since = null, next_attempt_at = null, last_success_at = ?`,
      [seq, checkpoint, seq, now],
    );
    if (rows === 0) return false;
    Object.assign(cursor, {
      deliveredSeq: seq,
      deliveredCheckpoint: checkpoint,
      pinnedThroughSeq: null,
      oneByOneThroughSeq:
        cursor.oneByOneThroughSeq !== null && cursor.oneByOneThroughSeq > seq ? cursor.oneByOneThroughSeq : null,
      consecutiveFailures: 0,
      failingSince: null,
    });
    return true;
  }

  async failed(cursor: LeasedCursor, attempt: FailedAttempt, now: Date): Promise<void> {
    await this.fenced(
      cursor,
      `consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, ?),
       last_error = ?, last_error_at = ?, next_attempt_at = ?, pinned_through_seq = ?, lease_token = null, lease_until = null`,
      [now, attempt.error, now, attempt.nextAttemptAt, attempt.pinnedThroughSeq],
    );
  }

  /** A batch was refused as a whole: its events go one at a time, so the refusal names the very event. */
  async oneByOne(cursor: LeasedCursor, throughSeq: number): Promise<void> {
    await this.fenced(cursor, 'one_by_one_through_seq = ?, pinned_through_seq = null', [throughSeq]);
    cursor.oneByOneThroughSeq = throughSeq;
    cursor.pinnedThroughSeq = null;
  }

  /** The receiver refused this one event: the chain waits at it until an admin retries or skips it. */
  async park(cursor: LeasedCursor, seq: number, error: string, now: Date): Promise<void> {
    await this.fenced(
      cursor,
      `parked_seq = ?, parked_error = ?, last_error = ?, last_error_at = ?, pinned_through_seq = null,
       one_by_one_through_seq = null, lease_token = null, lease_until = null`,
      [seq, error, error, now],
    );
  }

  async release(cursor: LeasedCursor): Promise<void> {
    await this.fenced(cursor, 'lease_token = null, lease_until = null', []);
  }

  private async fenced(cursor: LeasedCursor, set: string, params: unknown[]): Promise<number> {
    const rows = await this.orm.em
      .fork()
      .execute(
        `update audit_sink_cursors set ${set} where sink_id = ? and chain_key = ? and lease_token = ? returning 1`,
        [...params, cursor.sinkId, cursor.chainKey, cursor.leaseToken],
      );
    return rows.length;
  }
}

function leasedOf(row: Record<string, unknown>): LeasedCursor {
  const optional = (v: unknown) => (v === null ? null : Number(v));
  return {
    sinkId: row['sink_id'] as string,
    chainKey: row['chain_key'] as string,
    leaseToken: row['lease_token'] as string,
    deliveredSeq: Number(row['delivered_seq']),
    deliveredCheckpoint: Number(row['delivered_checkpoint']),
    pinnedThroughSeq: optional(row['pinned_through_seq']),
    oneByOneThroughSeq: optional(row['one_by_one_through_seq']),
    consecutiveFailures: Number(row['consecutive_failures']),
    failingSince: row['failing_since'] === null ? null : new Date(row['failing_since'] as string),
  };
}

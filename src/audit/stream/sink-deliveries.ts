import type { EntityManager } from '@mikro-orm/postgresql';
import type { SinkState } from './audit-sink.entity.js';

/** A sink's state as reported: `parked` when it is active but a chain waits at a refused event. */
export type ReportedSinkState = SinkState | 'parked';

/** How delivery stands for one sink, over every chain it receives. */
export interface SinkDelivery {
  /** The lowest acknowledged seq among its chains (0 without a cursor). */
  deliveredSeq: number;
  /** Events committed and not yet acknowledged, summed over its chains. */
  lagEvents: number;
  /** Age of the oldest event not yet acknowledged; 0 when caught up. */
  lagSeconds: number;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  consecutiveFailures: number;
  parked: { chain: string; seq: number; error: string }[];
}

interface Row {
  sink_id: string;
  delivered_seq: string | null;
  lag_events: string;
  oldest_undelivered: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  consecutive_failures: number | null;
  parked: { chain: string; seq: number; error: string }[] | null;
}

export function reportedStateOf(state: SinkState, delivery: SinkDelivery | undefined): ReportedSinkState {
  return state === 'active' && (delivery?.parked.length ?? 0) > 0 ? 'parked' : state;
}

/**
 * The delivery figures of these sinks (of every sink for `null`), from their cursors: the sink views of the
 * API and the metrics read the same numbers. A sink without a cursor has no entry.
 */
export async function readSinkDeliveries(
  em: EntityManager,
  sinkIds: readonly string[] | null,
  now: Date,
): Promise<Map<string, SinkDelivery>> {
  if (sinkIds?.length === 0) return new Map();
  const rows = await em.execute<Row[]>(
    `select c.sink_id,
            min(c.delivered_seq) as delivered_seq,
            coalesce(sum(greatest(h.last_seq - c.delivered_seq, 0)), 0) as lag_events,
            min((select e.occurred_at from audit_events e
                  where e.chain_key = c.chain_key and e.seq > c.delivered_seq order by e.seq limit 1)) as oldest_undelivered,
            max(c.last_success_at) as last_success_at,
            (array_agg(c.last_error order by c.last_error_at desc nulls last))[1] as last_error,
            max(c.last_error_at) as last_error_at,
            max(c.consecutive_failures) as consecutive_failures,
            json_agg(json_build_object('chain', c.chain_key, 'seq', c.parked_seq, 'error', c.parked_error))
              filter (where c.parked_seq is not null) as parked
       from audit_sink_cursors c left join audit_chains h on h.chain_key = c.chain_key
      where ?::uuid[] is null or c.sink_id = any(?::uuid[])
      group by c.sink_id`,
    sinkIds === null ? [null, null] : Array(2).fill(`{${sinkIds.join(',')}}`),
  );
  return new Map(rows.map((row) => [row.sink_id, deliveryOf(row, now)]));
}

function deliveryOf(row: Row, now: Date): SinkDelivery {
  const oldest = row.oldest_undelivered ? new Date(row.oldest_undelivered).getTime() : null;
  return {
    deliveredSeq: row.delivered_seq === null ? 0 : Number(row.delivered_seq),
    lagEvents: Number(row.lag_events),
    lagSeconds: oldest === null ? 0 : Math.max(0, Math.round((now.getTime() - oldest) / 1000)),
    lastSuccessAt: row.last_success_at ? new Date(row.last_success_at) : null,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at ? new Date(row.last_error_at) : null,
    consecutiveFailures: row.consecutive_failures ?? 0,
    parked: (row.parked ?? []).map((p) => ({ chain: p.chain, seq: Number(p.seq), error: p.error })),
  };
}

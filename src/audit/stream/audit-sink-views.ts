import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { pgUuidArray } from '../../infra/database/pg-text-array.js';
import { AuditSink } from './audit-sink.entity.js';
import { findSink, inSinkScope } from './sink-scope.js';

interface CursorStats {
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

/**
 * A sink as its admins see it: its settings (never a secret), and how delivery stands: `state` is `parked`
 * when a chain waits at a refused event, lag in events and in seconds (since the oldest undelivered event).
 */
@Injectable()
export class AuditSinkViews {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {}

  list(tenantId: string | null) {
    return inSinkScope(tenantId, async () => {
      const sinks = await this.orm.em
        .fork()
        .find(AuditSink, { tenantId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
      return this.viewsOf(sinks);
    });
  }

  async one(tenantId: string | null, sinkId: string) {
    const sink = await inSinkScope(tenantId, () => findSink(this.orm.em.fork(), tenantId, sinkId));
    const [view] = await this.viewsOf([sink]);
    return view!;
  }

  /** The sink with its secret, in the answer that created it or rotated it: the only time it is shown. */
  async withSecret(sink: AuditSink, secret: string | null) {
    const [view] = await this.viewsOf([sink]);
    return secret === null ? view! : { ...view!, secret };
  }

  private async viewsOf(sinks: readonly AuditSink[]) {
    if (sinks.length === 0) return [];
    const stats = await this.orm.em.fork().execute<CursorStats[]>(
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
        where c.sink_id = any(?::uuid[])
        group by c.sink_id`,
      [pgUuidArray(sinks.map((s) => s.id))],
    );
    const bySink = new Map(stats.map((s) => [s.sink_id, s]));
    const now = this.clock.now().getTime();
    return sinks.map((sink) => {
      const s = bySink.get(sink.id);
      const parked = s?.parked ?? [];
      const oldest = s?.oldest_undelivered ? new Date(s.oldest_undelivered).getTime() : null;
      return {
        id: sink.id,
        scope: sink.tenantId === null ? 'platform' : 'tenant',
        name: sink.name,
        kind: sink.kind,
        format: sink.format,
        batchSize: sink.batchSize,
        settings: sink.settings,
        state: sink.state === 'active' && parked.length > 0 ? 'parked' : sink.state,
        stateReason: sink.stateReason,
        deliveredSeq: s?.delivered_seq === null || !s ? 0 : Number(s.delivered_seq),
        lagEvents: Number(s?.lag_events ?? 0),
        lagSeconds: oldest === null ? 0 : Math.max(0, Math.round((now - oldest) / 1000)),
        lastSuccessAt: s?.last_success_at ? new Date(s.last_success_at).toISOString() : null,
        lastError: s?.last_error ?? null,
        lastErrorAt: s?.last_error_at ? new Date(s.last_error_at).toISOString() : null,
        consecutiveFailures: s?.consecutive_failures ?? 0,
        parked: parked.map((p) => ({ chain: p.chain, seq: Number(p.seq), error: p.error })),
        secretsInForce: sink.secrets.filter((x) => x.retiresAt === null || new Date(x.retiresAt).getTime() > now)
          .length,
        createdAt: sink.createdAt.toISOString(),
        updatedAt: sink.updatedAt.toISOString(),
      };
    });
  }
}

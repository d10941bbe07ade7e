import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { AuditSink } from './audit-sink.entity.js';
import { readSinkDeliveries, reportedStateOf } from './sink-deliveries.js';
import { findSink, inSinkScope } from './sink-scope.js';

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
    const now = this.clock.now();
    const deliveries = await readSinkDeliveries(
      this.orm.em.fork(),
      sinks.map((s) => s.id),
      now,
    );
    return sinks.map((sink) => {
      const d = deliveries.get(sink.id);
      return {
        id: sink.id,
        scope: sink.tenantId === null ? 'platform' : 'tenant',
        name: sink.name,
        kind: sink.kind,
        format: sink.format,
        batchSize: sink.batchSize,
        settings: sink.settings,
        state: reportedStateOf(sink.state, d),
        stateReason: sink.stateReason,
        deliveredSeq: d?.deliveredSeq ?? 0,
        lagEvents: d?.lagEvents ?? 0,
        lagSeconds: d?.lagSeconds ?? 0,
        lastSuccessAt: d?.lastSuccessAt?.toISOString() ?? null,
        lastError: d?.lastError ?? null,
        lastErrorAt: d?.lastErrorAt?.toISOString() ?? null,
        consecutiveFailures: d?.consecutiveFailures ?? 0,
        parked: d?.parked ?? [],
        secretsInForce: sink.secrets.filter((x) => x.retiresAt === null || new Date(x.retiresAt) > now).length,
        createdAt: sink.createdAt.toISOString(),
        updatedAt: sink.updatedAt.toISOString(),
      };
    });
  }
}

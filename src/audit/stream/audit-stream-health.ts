import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { AuditSink } from './audit-sink.entity.js';
import { readSinkDeliveries, type ReportedSinkState, reportedStateOf } from './sink-deliveries.js';

export const REPORTED_SINK_STATES = ['active', 'paused', 'parked', 'disabled'] as const satisfies ReportedSinkState[];

/** One sink's delivery, as the platform's metrics report it (the same figures as the sink's API view). */
export interface SinkHealth {
  sinkId: string;
  state: ReportedSinkState;
  lagEvents: number;
  lagSeconds: number;
  /** Chains waiting at a refused event for an admin's retry or skip. */
  parkedChains: number;
}

/** How every sink of the platform (tenants' and the operator's) stands, read from PostgreSQL. */
@Injectable()
export class AuditStreamHealth {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {}

  perSink(): Promise<SinkHealth[]> {
    return TenantScope.acrossTenants("the platform's metrics report every tenant's sinks", async () => {
      const em = this.orm.em.fork();
      const sinks = await em.find(AuditSink, {}, { fields: ['id', 'state'], orderBy: { id: 'asc' } });
      const deliveries = await readSinkDeliveries(em, null, this.clock.now());
      return sinks.map((sink) => {
        const delivery = deliveries.get(sink.id);
        return {
          sinkId: sink.id,
          state: reportedStateOf(sink.state, delivery),
          lagEvents: delivery?.lagEvents ?? 0,
          lagSeconds: delivery?.lagSeconds ?? 0,
          parkedChains: delivery?.parked.length ?? 0,
        };
      });
    });
  }
}

import { Injectable } from '@nestjs/common';
import { SYSTEM_ACTOR } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { AuditLog } from '../audit-log.js';
import type { AuditSink, SinkState } from './audit-sink.entity.js';
import { AuditSinkDisabledEvent, AuditSinkParkedEvent, AuditSinkPausedEvent } from './audit-sink.events.js';
import { SinkAlerts } from './sink-alerts.js';

/**
 * What delivery itself decides about a sink, each audited on the sink's own chain (by the system) and, for a
 * sink that stopped, e-mailed to the tenant's admins: a receiver that is gone (410) disables the sink, one that
 * refuses an event parks the chain at it, and one failing for too long pauses the sink.
 */
@Injectable()
export class SinkIncidents {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly alerts: SinkAlerts,
    private readonly clock: Clock,
  ) {}

  disable(sink: AuditSink, chainKey: string, error: string) {
    return this.stop(
      sink,
      'disabled',
      `the receiver answered 410 Gone: ${error}`,
      new AuditSinkDisabledEvent(sink.tenantId, sink.id),
      {
        chainKey,
        error,
      },
    );
  }

  pauseFailing(sink: AuditSink, chainKey: string, failingSince: Date, error: string) {
    const reason = `failing since ${failingSince.toISOString()}: ${error}`;
    return this.stop(sink, 'paused', reason, new AuditSinkPausedEvent(sink.tenantId, sink.id), {
      chainKey,
      failingSince: failingSince.toISOString(),
      error,
      by: 'delivery',
    });
  }

  async parked(sink: AuditSink, chainKey: string, seq: number, error: string): Promise<void> {
    await this.inScope(sink, () =>
      this.uow.run(async (tx) => {
        const entry = await this.audit.record(tx, new AuditSinkParkedEvent(sink.tenantId, sink.id), {
          actor: SYSTEM_ACTOR,
          target: { type: 'audit_sink', id: sink.id },
          details: { chainKey, seq, error },
        });
        await this.alerts.tellAdmins(tx, entry);
      }),
    );
  }

  private async stop(
    sink: AuditSink,
    state: SinkState,
    reason: string,
    event: AuditSinkDisabledEvent | AuditSinkPausedEvent,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.inScope(sink, () =>
      this.uow.run(async (tx) => {
        const changed = await tx.em.execute(
          `update audit_sinks set state = ?, state_reason = ?, updated_at = ? where id = ? and state = 'active' returning id`,
          [state, reason, this.clock.now(), sink.id],
        );
        if (changed.length === 0) return;
        const entry = await this.audit.record(tx, event, {
          actor: SYSTEM_ACTOR,
          target: { type: 'audit_sink', id: sink.id },
          details,
        });
        await this.alerts.tellAdmins(tx, entry);
      }),
    );
  }

  private inScope<T>(sink: AuditSink, work: () => Promise<T>): Promise<T> {
    return sink.tenantId === null
      ? TenantScope.acrossTenants('a platform sink belongs to no tenant', work)
      : TenantScope.run(sink.tenantId, work);
  }
}

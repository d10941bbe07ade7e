import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Counter, Registry } from 'prom-client';
import { AuditBatchDeliveredEvent, AuditBatchFailedEvent } from '../audit/index.js';

/**
 * `stepguard_audit_stream_delivered_events_total{sink}` and `stepguard_audit_stream_batches_total{sink,outcome}`
 * (`acknowledged`, `retry`, `rejected`, `gone`): what this process's workers sent to each sink. Labelled by
 * sink id, never by chain or event, so the series grow with the sinks configured, not with tenants or traffic.
 */
@EventsHandler(AuditBatchDeliveredEvent, AuditBatchFailedEvent)
export class AuditStreamMetricsHandler implements IEventHandler<AuditBatchDeliveredEvent | AuditBatchFailedEvent> {
  private readonly delivered: Counter<'sink'>;
  private readonly batches: Counter<'sink' | 'outcome'>;

  constructor(registry: Registry) {
    this.delivered = new Counter({
      name: 'stepguard_audit_stream_delivered_events_total',
      help: 'Audit events acknowledged by each sink (a resent event counts again), by sink id',
      labelNames: ['sink'],
      registers: [registry],
    });
    this.batches = new Counter({
      name: 'stepguard_audit_stream_batches_total',
      help: 'Batches sent to audit sinks by sink id and outcome: acknowledged, retry, rejected, gone',
      labelNames: ['sink', 'outcome'],
      registers: [registry],
    });
  }

  handle(event: AuditBatchDeliveredEvent | AuditBatchFailedEvent): void {
    if (event instanceof AuditBatchDeliveredEvent) {
      this.delivered.inc({ sink: event.sinkId }, event.events);
      this.batches.inc({ sink: event.sinkId, outcome: 'acknowledged' });
    } else {
      this.batches.inc({ sink: event.sinkId, outcome: event.outcome });
    }
  }
}

import { Module } from '@nestjs/common';
import { AuditStreamMetricsHandler } from './audit-stream-metrics.handler.js';
import { MetricsRegistryModule } from './metrics-registry.js';
import { ReadinessProbe } from './readiness-probe.js';

/**
 * The counters of work the BullMQ workers do, registered in the process that runs them (events do not
 * cross processes): served by the api's `/metrics` in the all-in-one process, by the worker's own metrics
 * port (WORKER_METRICS_PORT) in a worker process, where the readiness probe answers that port's `/readyz`.
 */
@Module({ imports: [MetricsRegistryModule], providers: [AuditStreamMetricsHandler, ReadinessProbe] })
export class WorkerMetricsModule {}

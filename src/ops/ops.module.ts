import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ActiveSessionsGauge } from './active-sessions.gauge.js';
import { AuditModule } from '../audit/index.js';
import { LiveModule } from '../live/index.js';
import { AuditStreamGauges } from './audit-stream.gauges.js';
import { HealthController } from './health.controller.js';
import { LiveSocketsGauge } from './live-sockets.gauge.js';
import { HttpMetrics, HttpMetricsMiddleware } from './http-metrics.js';
import { AccessMetricsHandler } from './access-metrics.handler.js';
import { LoginMetricsHandler } from './login-metrics.handler.js';
import { MetricsRegistryModule } from './metrics-registry.js';
import { MetricsController } from './metrics.controller.js';
import { QueueDepthGauge } from './queue-depth.gauge.js';
import { ReadinessProbe } from './readiness-probe.js';
import { SecondFactorMetricsHandler } from './second-factor-metrics.handler.js';

/**
 * Operations endpoints of the api: `/healthz`, `/readyz`, `/metrics`. Queue depths appear when a
 * global module provides `STEPGUARD_QUEUES` (see stepguard-queues.ts). What the workers count is in
 * WorkerMetricsModule, in the process that runs them.
 */
@Module({
  imports: [MetricsRegistryModule, LiveModule, AuditModule],
  controllers: [HealthController, MetricsController],
  providers: [
    ReadinessProbe,
    HttpMetrics,
    LoginMetricsHandler,
    AccessMetricsHandler,
    SecondFactorMetricsHandler,
    ActiveSessionsGauge,
    QueueDepthGauge,
    LiveSocketsGauge,
    AuditStreamGauges,
  ],
})
export class OpsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}

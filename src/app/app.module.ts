import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from '../audit/index.js';
import { AuthModule } from '../auth/index.js';
import type { AppConfig } from '../common/app-config.js';
import type { Clock } from '../common/clock.js';
import { ProblemFilter } from '../common/errors/problem.filter.js';
import { ENTITIES } from './entities.js';
import { FactorsModule } from '../factors/index.js';
import { IdentityModule } from '../identity/index.js';
import { InfraModule } from '../infra/infra.module.js';
import { QueuesModule } from '../infra/queues/queues.module.js';
import { ComplianceModule } from '../compliance/index.js';
import { SessionsModule } from '../sessions/index.js';
import { LiveModule } from '../live/index.js';
import { WorkerMetricsModule } from '../ops/worker-metrics.module.js';

export interface AppOptions {
  clock?: Clock;
  /** The BullMQ workers this process runs (WorkersModule), registered with the counters of their work. */
  workers?: NonNullable<ModuleMetadata['imports']>;
  /** Extra modules: the ops endpoints on the api, a test's own. */
  extra?: NonNullable<ModuleMetadata['imports']>;
}

/** The domain: every slice, on shared infrastructure. Used by the api, the workers and the CLI. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        InfraModule.forRoot(config, ENTITIES, options.clock),
        QueuesModule,
        AuditModule,
        IdentityModule,
        SessionsModule,
        AuthModule,
        FactorsModule,
        ComplianceModule,
        LiveModule,
        ...(options.workers?.length ? [...options.workers, WorkerMetricsModule] : []),
        ...(options.extra ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}

import { type FactoryProvider, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One registry per application rather than prom-client's global one, so several apps in one process
 * (the tests) keep their own figures and never clash on a metric name. Injected as `Registry`.
 */
export const metricsRegistryProvider: FactoryProvider<Registry> = {
  provide: Registry,
  useFactory: () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    return registry;
  },
};

/**
 * The application's registry, shared by the api's metrics and the workers' (in the all-in-one process both
 * land in the one `/metrics`): Nest makes one instance of a module however many modules import it.
 */
@Module({ providers: [metricsRegistryProvider], exports: [Registry] })
export class MetricsRegistryModule {}

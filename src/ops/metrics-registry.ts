import type { FactoryProvider } from '@nestjs/common';
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

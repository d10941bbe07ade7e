import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { ConfigError, loadEnv } from '../config/index.js';
import { AppModule } from '../src/app/app.module.js';
import { metricsUrlOf, serveWorkerMetrics } from '../src/app/serve-worker-metrics.js';
import { resolveRuntime } from '../src/bootstrap/resolve-runtime.js';
import { WorkersModule } from './workers.module.js';

/**
 * The worker process: every slice and the BullMQ processors in a Nest application context, no HTTP but
 * its metrics on WORKER_METRICS_PORT when that is set.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const runtime = await resolveRuntime(env, (line) => console.log(line));
  let app;
  let metrics: Server | undefined;
  try {
    app = await NestFactory.createApplicationContext(AppModule.forRoot(runtime.config, { workers: [WorkersModule] }), {
      logger: env.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'],
      abortOnError: false,
    });
    if (env.WORKER_METRICS_PORT !== undefined) {
      metrics = await serveWorkerMetrics(app, env.HOST, env.WORKER_METRICS_PORT);
      console.log(`worker metrics at ${metricsUrlOf(metrics)}`);
    }
  } catch (error) {
    await app?.close().catch(() => undefined);
    await runtime.stop().catch(() => undefined);
    throw error;
  }
  // Not app.enableShutdownHooks(): it re-raises the signal once the app is closed, which would kill
  // the process before the embedded database or redis-server that resolveRuntime started is stopped.
  const shutdown = async (signal: NodeJS.Signals) => {
    console.log(`${signal}: finishing the running jobs, then stopping`);
    setTimeout(() => {
      console.error(`shutdown took longer than SHUTDOWN_TIMEOUT_SECONDS=${env.SHUTDOWN_TIMEOUT_SECONDS}s: exiting`);
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_SECONDS * 1000).unref();
    metrics?.close();
    await app.close();
    await runtime.stop();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s).catch(fail));
  console.log('stepguard worker started');
}

function fail(error: unknown): never {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

await main().catch(fail);

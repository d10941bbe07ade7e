import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import { ConfigError, loadEnv } from '../config/index.js';
import { WorkersModule } from '../workers/workers.module.js';
import { ensureDefaultTenant } from './bootstrap/default-tenant.js';
import { resolveRuntime, type Runtime } from './bootstrap/resolve-runtime.js';
import { createHttpApp } from './app/create-http-app.js';
import { runMigrations } from './infra/database/migrate.js';
import { SocketGateway } from './live/index.js';

/**
 * The api process: HTTP API (and, unless STEPGUARD_WORKERS_IN_PROCESS=false, the BullMQ workers:
 * the all-in-one process of `npm start`). Missing DATABASE_URL / REDIS_URL fall back to the
 * embedded defaults.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const runtime = await resolveRuntime(env, (line) => console.log(line));
  let app: NestExpressApplication | undefined;
  try {
    if (env.STEPGUARD_MIGRATE_ON_START) {
      const applied = await runMigrations(runtime.config.databaseUrl);
      if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
    }
    app = await createHttpApp(runtime.config, { workers: env.STEPGUARD_WORKERS_IN_PROCESS ? [WorkersModule] : [] });
    await app.init();
    await ensureDefaultTenant(app, runtime.config, (line) => console.log(line));
    await app.listen(env.PORT, env.HOST);
  } catch (error) {
    await app?.close().catch(() => undefined);
    await runtime.stop().catch(() => undefined);
    throw error;
  }
  const mode = env.STEPGUARD_WORKERS_IN_PROCESS ? 'api + workers' : 'api';
  console.log(`Stepguard (${mode}) listening on ${runtime.config.publicUrl}  (docs: ${runtime.config.publicUrl}/docs)`);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void shutdown(app, runtime, env.SHUTDOWN_TIMEOUT_SECONDS, signal).catch(fail);
    });
  }
}

/**
 * Stops taking requests, lets those in flight finish, then closes workers, database and Redis,
 * then whatever the embedded defaults started. The HTTP server closes first: Nest's own close would
 * tear the database down under requests still running.
 */
async function shutdown(app: NestExpressApplication, runtime: Runtime, timeoutSeconds: number, signal: string) {
  console.log(`${signal}: draining requests and jobs, then stopping`);
  setTimeout(() => {
    console.error(`shutdown took longer than SHUTDOWN_TIMEOUT_SECONDS=${timeoutSeconds}s: exiting`);
    process.exit(1);
  }, timeoutSeconds * 1000).unref();
  const server = app.getHttpServer() as Server;
  // Open websockets would hold the server open: close them first, and their clients reconnect elsewhere.
  app.get(SocketGateway, { strict: false }).closeConnections();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await app.close();
  await runtime.stop();
  process.exit(0);
}

function fail(error: unknown): never {
  console.error(error instanceof ConfigError ? `stepguard: ${error.message}` : error);
  process.exit(1);
}

await main().catch(fail);

import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import type { AppConfig } from '../../src/common/app-config.js';
import { createHttpApp, type HttpAppOptions } from '../../src/app/create-http-app.js';
import { HttpClient } from './http.js';
import { watchClose } from './close-watchdog.js';
import { createTestDatabase } from './postgres.js';
import { OPERATOR_TOKEN, testConfig } from './test-env.js';
import { deleteRedisKeys } from './redis.js';

export interface TestApp {
  app: NestExpressApplication;
  http: HttpClient;
  config: AppConfig;
  databaseUrl: string;
  operatorToken: string;
  /**
   * Runs one statement on the test database, outside the app, and returns its rows. Each call may use
   * a different connection: a test that needs session state (a transaction, a lock) opens its own client.
   */
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Boots the real HTTP app on a random loopback port, on a fresh database cloned from the template. */
export async function startTestApp(
  options: HttpAppOptions & { env?: Record<string, string>; port?: number } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = testConfig(db.url, options.env);
  const app = await createHttpApp(config, options);
  await app.listen(options.port ?? 0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  let pool: pg.Pool | undefined;
  return {
    app,
    http: new HttpClient(`http://127.0.0.1:${address.port}`),
    config,
    databaseUrl: db.url,
    operatorToken: OPERATOR_TOKEN,
    async sql(text, params) {
      if (!pool) {
        pool = new pg.Pool({ connectionString: db.url, max: 2 });
        // pool.end() resolves before its idle connections have finished closing, so dropping the
        // database can still terminate one: an error event for a connection nobody uses, not a failure.
        pool.on('error', () => undefined);
      }
      return (await pool.query(text, params)).rows;
    },
    async close() {
      await watchClose(app, db.name);
      await pool?.end();
      await db.drop();
      await deleteRedisKeys(config.env.REDIS_KEY_PREFIX);
    },
  };
}

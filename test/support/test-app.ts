import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '../../src/common/app-config.js';
import { createHttpApp, type HttpAppOptions } from '../../src/http/create-http-app.js';
import { HttpClient } from './http.js';
import { createTestDatabase } from './postgres.js';
import { OPERATOR_TOKEN, testConfig } from './test-env.js';
import { deleteRedisKeys } from './redis.js';

export interface TestApp {
  app: NestExpressApplication;
  http: HttpClient;
  config: AppConfig;
  databaseUrl: string;
  operatorToken: string;
  close(): Promise<void>;
}

/** Boots the real HTTP app on a random loopback port, on a fresh database cloned from the template. */
export async function startTestApp(options: HttpAppOptions & { env?: Record<string, string> } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = testConfig(db.url, options.env);
  const app = await createHttpApp(config, options);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    http: new HttpClient(`http://127.0.0.1:${address.port}`),
    config,
    databaseUrl: db.url,
    operatorToken: OPERATOR_TOKEN,
    async close() {
      await app.close();
      await db.drop();
      await deleteRedisKeys(config.env.REDIS_KEY_PREFIX);
    },
  };
}

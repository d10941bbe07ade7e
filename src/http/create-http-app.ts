import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type AppOptions } from '../app.module.js';
import type { AppConfig } from '../common/app-config.js';
import { jsonBody } from './json-body.js';
import { setupOpenApi } from './openapi.setup.js';
import { trustProxySetting } from './trusted-proxy.js';

/** The HTTP api (and whatever `options.extra` adds), configured but not yet listening. */
export async function createHttpApp(config: AppConfig, options: AppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    logger: config.env.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'],
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(config.env.TRUSTED_PROXY));
  app.use(...jsonBody(config.env.HTTP_BODY_LIMIT_BYTES));
  setupOpenApi(app);
  return app;
}

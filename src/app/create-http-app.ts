import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { AppModule, type AppOptions } from './app.module.js';
import type { AppConfig } from '../common/app-config.js';
import { installLogging } from '../infra/logging/install-logging.js';
import { OpsModule } from '../ops/ops.module.js';
import { jsonBody } from '../http/json-body.js';
import { noStore } from '../http/no-store.js';
import { setupOpenApi } from '../http/openapi.setup.js';
import { trustProxySetting } from '../http/trusted-proxy.js';
import { installPages, PAGE_PATHS, WebModule } from '../web/index.js';

export interface HttpAppOptions extends AppOptions {
  /** Where the JSON logs go (stdout by default); tests capture them here. */
  logDestination?: DestinationStream;
}

/** The HTTP api with its ops endpoints (and whatever `options.extra` adds), configured but not yet listening. */
export async function createHttpApp(config: AppConfig, options: HttpAppOptions = {}): Promise<NestExpressApplication> {
  const modules = AppModule.forRoot(config, { ...options, extra: [OpsModule, WebModule, ...(options.extra ?? [])] });
  const app = await NestFactory.create<NestExpressApplication>(modules, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  installLogging(app, config.env, options.logDestination);
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(config.env.TRUSTED_PROXY));
  app.use('/v1', noStore);
  installPages(app, config.env.HTTP_BODY_LIMIT_BYTES);
  app.use(...jsonBody(config.env.HTTP_BODY_LIMIT_BYTES, PAGE_PATHS));
  setupOpenApi(app);
  return app;
}

import type { INestApplication } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import { httpLogger } from './http-logger.js';
import { NestPinoLogger } from './nest-pino-logger.js';
import { createPinoLogger, type LoggingEnv } from './pino-logger.js';

/**
 * Routes Nest's logs and one line per HTTP request through a single pino logger. Call it before any
 * other `app.use`, so the request id and the request line cover every middleware after it; create
 * the app with `bufferLogs: true` so the boot lines wait for this logger instead of going to the console.
 */
export function installLogging(app: INestApplication, env: LoggingEnv, destination?: DestinationStream): Logger {
  const logger = createPinoLogger(env, destination);
  app.useLogger(new NestPinoLogger(logger));
  app.use(httpLogger(logger));
  return logger;
}

import { pino, type DestinationStream, type Logger } from 'pino';
import type { Env } from '../../../config/index.js';
import { CENSOR, REDACTED_PATHS } from './redaction.js';

export type LoggingEnv = Pick<Env, 'LOG_LEVEL'>;

/**
 * The process's one pino logger: JSON lines, ISO times, level names, secrets censored.
 * `destination` defaults to stdout; tests pass a stream to read the lines back.
 */
export function createPinoLogger(env: LoggingEnv, destination?: DestinationStream): Logger {
  const options = {
    level: env.LOG_LEVEL,
    base: { service: 'stepguard', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
  };
  return destination ? pino(options, destination) : pino(options);
}

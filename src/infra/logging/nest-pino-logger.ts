import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

/**
 * Nest's own logs (boot, route mapping, `new Logger(ctx)` in services) written through the same pino
 * logger, so every line the process prints is JSON. Nest appends the logger's context as the last
 * argument; `error` takes `(message, stack?, context?)`.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.writeError('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.writeError('fatal', message, params);
  }

  private writeError(level: Level, message: unknown, params: unknown[]): void {
    const [first, second] = params;
    const [stack, context] =
      params.length >= 2 ? [first, second] : isStack(first) ? [first, undefined] : [undefined, first];
    this.emit(level, message, { context: asString(context), stack: asString(stack) });
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const context = params.length ? asString(params.at(-1)) : undefined;
    this.emit(level, message, { context });
  }

  private emit(level: Level, message: unknown, fields: Record<string, string | undefined>): void {
    const bindings = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    if (message instanceof Error) this.pino[level]({ ...bindings, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ ...bindings, ...message });
    else this.pino[level](bindings, String(message));
  }
}

function isStack(value: unknown): boolean {
  return typeof value === 'string' && /\n\s+at /.test(value);
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

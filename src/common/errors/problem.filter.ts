import { DriverException } from '@mikro-orm/core';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { DomainError, type ErrorCode } from './domain-error.js';
import { problem, problemFor, type Problem } from './problem.js';

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_attempts',
  503: 'service_unavailable',
};

/**
 * SQLSTATEs that only bad input can cause: character_not_in_repertoire, untranslatable_character,
 * invalid_text_representation, string_data_right_truncation. The request pipes should refuse such
 * input first; this is the safety net that keeps a missed case a 400 instead of a 500.
 */
const INPUT_SQLSTATES = new Set(['22021', '22P05', '22P02', '22001']);

/** Long enough for a PostgreSQL restart; a failover takes longer, and clients simply ask again. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * What a failure is, as a problem: a DomainError's code, an HTTP exception's status, a bad stored value's 400,
 * a database outage's 503; anything unexpected is logged with its stack and becomes a bare 500. The JSON
 * filter below sends it; the pages render it.
 */
export function problemOf(exception: unknown, url: string, logger: Logger): { problem: Problem; retryAfter?: number } {
  const error = isDatabaseUnavailable(exception) ? databaseUnavailable(exception as Error, logger) : exception;
  const retry = error instanceof DomainError ? error.extra.retryAfterSeconds : undefined;
  return {
    problem: toProblem(error, url, logger),
    ...(retry !== undefined ? { retryAfter: Math.max(1, Math.ceil(retry)) } : {}),
  };
}

/** The one place where failures become RFC 9457 responses; anything unexpected is a logged 500. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    if (host.getType() !== 'http' || res.headersSent) return;
    const { problem: body, retryAfter } = problemOf(exception, req.originalUrl, this.logger);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}

/**
 * PostgreSQL restarting or failing over is an outage, not a bug: 503 with Retry-After (readiness says the
 * same), a warning without a stack, and nothing retried here: a write whose COMMIT got no answer may have
 * committed, so only the client, who knows whether its request is safe to repeat, may repeat it.
 */
function databaseUnavailable(exception: Error, logger: Logger): DomainError {
  logger.warn(`PostgreSQL unreachable: ${exception.message}`);
  return new DomainError('service_unavailable', 'The service is briefly unavailable: try again shortly', {
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });
}

function toProblem(exception: unknown, url: string, logger: Logger): Problem {
  if (exception instanceof DomainError) return problemFor(exception);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = HTTP_CODES[status];
    if (code) return problem(code, status === 404 ? `No route for ${url.split('?')[0]}` : exception.message);
  }
  if (exception instanceof DriverException && INPUT_SQLSTATES.has(exception.code ?? '')) {
    // The driver's message quotes SQL and values: the log gets the SQLSTATE, the client a generic line.
    logger.warn(`The database refused a value from the request (SQLSTATE ${exception.code})`);
    return problem('validation_failed', 'The request contains a value the server cannot store');
  }
  logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return problem('internal_error', 'An unexpected error occurred');
}

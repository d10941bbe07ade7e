import express, { type NextFunction, type Request, type Response } from 'express';
import { problem } from '../common/errors/problem.js';
import type { ErrorCode } from '../common/errors/domain-error.js';

const BODY_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  'entity.parse.failed': { code: 'validation_failed', detail: 'The body is not valid JSON' },
  'entity.too.large': { code: 'payload_too_large', detail: 'The body is larger than this server accepts' },
  'encoding.unsupported': { code: 'unsupported_media_type', detail: 'Unsupported content encoding' },
  'charset.unsupported': { code: 'unsupported_media_type', detail: 'Unsupported charset' },
  'request.aborted': { code: 'validation_failed', detail: 'The request body was cut short' },
  'request.size.invalid': { code: 'validation_failed', detail: 'The body length does not match Content-Length' },
};

function send(res: Response, code: ErrorCode, detail: string): void {
  res
    .status(problem(code, detail).status)
    .type('application/problem+json')
    .send(JSON.stringify(problem(code, detail)));
}

/**
 * JSON bodies only (but on `formPaths`, the pages, which parse their own forms), with a size limit; malformed, oversized and non-JSON bodies become problem+json
 * (400, 413, 415) before any route sees them, never a 500.
 */
export function jsonBody(limitBytes: number, formPaths: readonly string[] = []) {
  const parse = express.json({ limit: limitBytes, strict: true, type: ['application/json', 'application/*+json'] });
  const requireJson = (req: Request, res: Response, next: NextFunction) => {
    if (formPaths.some((path) => req.path === path || req.path.startsWith(`${path}/`))) return next();
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is(['application/json', 'application/*+json'])) {
      return send(res, 'unsupported_media_type', 'Send the body as application/json');
    }
    next();
  };
  const onError = (err: { type?: string }, _req: Request, res: Response, next: NextFunction) => {
    const known = err.type ? BODY_ERRORS[err.type] : undefined;
    if (!known) return next(err);
    send(res, known.code, known.detail);
  };
  return [requireJson, parse, onError];
}

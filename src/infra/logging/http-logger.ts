import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { redactUrl } from './redaction.js';
import { requestIdFor } from './request-id.js';

/** Probes are scraped every few seconds; their successes would drown the lines that matter. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const isQuiet = (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]!);

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * One JSON line per request with its id, status and duration; 5xx at error level, even for a probe.
 * With LOG_LEVEL=silent only the request id is set: pino-http would still serialise and redact every
 * request for a line nobody writes (a tenth of a busy node's CPU).
 */
export function httpLogger(logger: Logger): HttpLogger | Middleware {
  if (logger.level === 'silent') {
    const setRequestId: Middleware = (req, res, next) => {
      requestIdFor(req, res);
      next();
    };
    return setRequestId;
  }
  return pinoHttp({
    logger,
    genReqId: requestIdFor,
    customLogLevel: (req, res, err) => (err || res.statusCode >= 500 ? 'error' : isQuiet(req) ? 'silent' : 'info'),
    serializers: {
      req: (req: { url?: string }) => ({ ...req, url: req.url === undefined ? undefined : redactUrl(req.url) }),
    },
  });
}

import http, { type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { EgressGuard } from '../egress/egress-guard.js';
import { EgressRefusedError } from '../egress/egress-refused.error.js';
import type { ReceiverResponse } from './receiver-response.js';

/** The Standard Webhooks guidance is 15 to 30 s for a receiver to answer. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** A receiver's answer is a status and a short text; a 64 KiB body is already a misbehaving one. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
/** Names the sender to receivers and to their firewalls' logs. */
export const USER_AGENT = 'Stepguard-AuditStream/1';

export interface BoundedHttpClientOptions {
  guard: EgressGuard;
  /** One deadline for the whole exchange: DNS, connect, TLS, sending, the status and the body. */
  timeoutMs: number;
  /** Bytes of a response body read at most; the connection is dropped past it. */
  maxResponseBytes: number;
  /** CA certificates (PEM) trusted instead of the system's, for a receiver with a private CA. */
  ca?: string | Buffer | undefined;
}

/** What became of one request: an answer, or no answer (network, TLS, timeout, egress refusal). */
export type PostResult =
  ({ kind: 'answered' } & ReceiverResponse) | { kind: 'failed'; error: string; refused: boolean };

/** Raised inside the client when the deadline passes; its message is what the delivery reports. */
class DeadlineExceeded extends Error {}

/**
 * The one way the audit stream's HTTP transports reach a receiver. Every request goes through the egress
 * guard (IP literals before the request, names through its `lookup` at connect time), follows no
 * redirect, ends at one deadline and reads at most `maxResponseBytes` of the answer. Connections are kept
 * alive per client (one client per sink), so consecutive batches reuse them.
 */
export class BoundedHttpClient {
  private readonly agents: { 'http:': http.Agent; 'https:': https.Agent };

  constructor(private readonly options: BoundedHttpClientOptions) {
    const lookup = options.guard.lookup;
    this.agents = {
      'http:': new http.Agent({ keepAlive: true, lookup }),
      'https:': new https.Agent({ keepAlive: true, lookup, ...(options.ca ? { ca: options.ca } : {}) }),
    };
  }

  /** POSTs `body`; never throws. */
  post(target: URL, headers: OutgoingHttpHeaders, body: string): Promise<PostResult> {
    try {
      // Node skips `lookup` for an IP literal host: the guard sees it here instead.
      this.options.guard.checkSinkUrl(target);
    } catch (error) {
      return Promise.resolve(failure(error, target));
    }
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: PostResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(result);
      };
      const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
      const request = (protocol === 'https:' ? https : http).request(target, {
        method: 'POST',
        agent: this.agents[protocol],
        lookup: this.options.guard.lookup,
        headers: { 'user-agent': USER_AGENT, ...headers, 'content-length': Buffer.byteLength(body) },
      });
      const deadline = setTimeout(() => {
        request.destroy(new DeadlineExceeded(`no answer from ${target.host} within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      let answered = false;
      request.on('error', (error) => {
        // Once the status is in, the response's own events settle (with what was read).
        if (!answered) settle(failure(error, target));
      });
      request.on('response', (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (complete: boolean) =>
          settle({
            kind: 'answered',
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
            complete,
          });
        response.on('data', (chunk: Buffer) => {
          const room = this.options.maxResponseBytes - size;
          chunks.push(chunk.subarray(0, Math.max(room, 0)));
          size += chunk.length;
          if (size > this.options.maxResponseBytes) {
            done(false);
            response.destroy();
          }
        });
        response.on('end', () => done(true));
        response.on('close', () => done(response.complete));
        response.on('error', () => done(false));
      });
      request.end(body);
    });
  }

  /** Closes the kept-alive connections. */
  async close(): Promise<void> {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}

/** A failure as a delivery reports it: the host and what went wrong, never the rest of the URL. */
function failure(error: unknown, target: URL): PostResult {
  if (error instanceof EgressRefusedError) return { kind: 'failed', error: error.message, refused: true };
  if (error instanceof DeadlineExceeded) return { kind: 'failed', error: `timeout: ${error.message}`, refused: false };
  const { code, message } = error as NodeJS.ErrnoException;
  const why = code && !message.includes(code) ? `${code}: ${message}` : message;
  return { kind: 'failed', error: `could not reach ${target.host}: ${why}`, refused: false };
}

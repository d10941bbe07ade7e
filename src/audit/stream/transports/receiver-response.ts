import type { IncomingHttpHeaders } from 'node:http';
import type { Delivery } from '../sink-transport.js';
import { parseRetryAfter } from './retry-after.js';

/** What a receiver answered, read within the time and size limits. */
export interface ReceiverResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** At most the size cap of the body. */
  body: Buffer;
  /** False when the body was cut at the cap, by the deadline or by the connection ending early. */
  complete: boolean;
}

const SNIPPET_CHARS = 200;

/**
 * A short, printable excerpt of a response body for an error message: control characters and runs of
 * white space become one space, and the sink's own secrets are blanked in case the receiver echoes them.
 */
export function bodySnippet(body: Buffer, secrets: readonly string[] = []): string {
  let text = body.subarray(0, SNIPPET_CHARS * 4).toString('utf8');
  for (const secret of secrets) if (secret) text = text.split(secret).join('[redacted]');
  text = text
    .replace(/[\p{Cc}\p{Cf}\s]+/gu, ' ')
    .trim()
    .replace(/\uFFFD+$/, '');
  return text.length > SNIPPET_CHARS ? `${[...text].slice(0, SNIPPET_CHARS).join('')}…` : text;
}

/**
 * The delivery a status means (the Standard Webhooks guidance): 2xx acknowledged; 408, 429 and 5xx worth
 * retrying, after Retry-After when given; 410 gone for good; a redirect or any other status a refusal of
 * the payload, which parks the sink for an admin. `who` names the receiver and `detail` is what it said.
 */
export function deliveryForStatus(response: ReceiverResponse, who: string, detail: string, now: Date): Delivery {
  const { status } = response;
  const said = `${who} answered ${status}${detail ? `: ${detail}` : ''}`;
  if (status >= 200 && status < 300) return { outcome: 'acknowledged' };
  if (status === 410) return { outcome: 'gone', error: said };
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return retryAfterMs === undefined
      ? { outcome: 'retry', error: said }
      : { outcome: 'retry', error: said, retryAfterMs };
  }
  if (status >= 300 && status < 400) {
    const to = originOf(response.headers.location);
    return {
      outcome: 'rejected',
      error: `${who} answered ${status}, a redirect${to ? ` to ${to}` : ''}; redirects are not followed: point the sink at the final URL`,
    };
  }
  return { outcome: 'rejected', error: said };
}

/**
 * The delivery when no answer came: a network failure, a TLS failure or a timeout is worth retrying; an
 * egress refusal (the sink's host resolves to an address it may not reach) waits for an admin.
 */
export function deliveryForFailure(failure: { error: string; refused: boolean }): Delivery {
  return failure.refused ? { outcome: 'rejected', error: failure.error } : { outcome: 'retry', error: failure.error };
}

/** Only scheme, host and port of a redirect target: its path or query may carry what is not ours to log. */
function originOf(location: string | undefined): string | undefined {
  if (!location || !URL.canParse(location)) return undefined;
  const origin = new URL(location).origin;
  return origin === 'null' ? undefined : origin;
}

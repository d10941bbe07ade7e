import { bodySnippet } from './receiver-response.js';

/**
 * HEC's JSON answer: `{ "text": "Success", "code": 0, "ackId": 7 }`; on failure `text` and `code` say why
 * (1 token disabled, 2 token required, 3 invalid authorization, 4 invalid token, 5 no data, 6 invalid
 * data format, 7 incorrect index, 8 internal error, 9 server busy, 10/11 missing or invalid channel,
 * 12/13 event field missing or blank, 14 acknowledgement disabled, 18-20 unhealthy, …). The HTTP status
 * goes with the code (403, 401, 400, 500, 503), so statuses decide what a delivery does and the code is
 * reported: a bad token (401/403) or bad data (400) parks the sink for an admin; busy (503) is retried.
 */
export interface HecReply {
  text?: string;
  code?: number;
  ackId?: number;
  /** The answer of the ack endpoint: `{ "acks": { "7": true } }`. */
  acks?: Record<string, boolean>;
}

export function parseHecReply(body: Buffer): HecReply | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as HecReply) : undefined;
  } catch {
    return undefined;
  }
}

/** What HEC said, for an error message: its text and code, or else an excerpt of the body. */
export function describeHecReply(reply: HecReply | undefined, body: Buffer, token: string): string {
  if (reply && typeof reply.text === 'string' && typeof reply.code === 'number') {
    return `${bodySnippet(Buffer.from(reply.text), [token])} (HEC code ${reply.code})`;
  }
  return bodySnippet(body, [token]);
}

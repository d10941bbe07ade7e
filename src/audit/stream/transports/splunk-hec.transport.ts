import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Clock, SystemClock } from '../../../common/clock.js';
import type { EgressGuard } from '../egress/egress-guard.js';
import type { Delivery, SinkTransport, StreamBatch } from '../sink-transport.js';
import type { StreamItem } from '../stream-item.js';
import {
  BoundedHttpClient,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  type PostResult,
} from './bounded-http-client.js';
import { deliveryForFailure, deliveryForStatus } from './receiver-response.js';
import { describeHecReply, parseHecReply } from './splunk-hec-reply.js';

export interface SplunkHecTransportOptions {
  /**
   * The HEC base URL (`https://splunk.example:8088`, or with a proxy's path prefix), or that URL ending in
   * `/services/collector` or `/services/collector/event`; events go to `…/services/collector/event`.
   */
  url: string | URL;
  token: string;
  /** The sink's format: one stream item as the JSON object that becomes the HEC event's `event`. */
  render: (item: StreamItem) => Record<string, unknown>;
  guard: EgressGuard;
  /**
   * Indexer acknowledgement (Splunk Enterprise; the token must have it on): a batch counts as delivered
   * only once Splunk says it is indexed, not when HEC took it in.
   */
  indexerAck?: boolean;
  /** The events' `host` (default: this machine's host name). */
  host?: string;
  /** The events' `source` (default `stepguard`). */
  source?: string;
  /** The events' `sourcetype` (default `stepguard:audit`). */
  sourcetype?: string;
  /** The index, when not the token's default. */
  index?: string;
  clock?: Clock;
  timeoutMs?: number;
  maxResponseBytes?: number;
  ca?: string | Buffer;
  /** How long a batch may wait to be indexed before it is sent again (default 60 s). */
  ackTimeoutMs?: number;
  /** The first wait before asking whether it is indexed; doubles up to 5 s (default 250 ms). */
  ackPollMs?: number;
}

const DEFAULT_ACK_TIMEOUT_MS = 60_000;
const DEFAULT_ACK_POLL_MS = 250;
const MAX_ACK_POLL_MS = 5_000;
const WHO = 'Splunk HEC';

/** The event and ack endpoints for a sink's URL. */
export function hecEndpoints(url: URL): { event: URL; ack: URL } {
  const path = url.pathname.replace(/\/+$/, '');
  const base = path.endsWith('/services/collector/event')
    ? path.slice(0, -'/event'.length)
    : path.endsWith('/services/collector')
      ? path
      : `${path}/services/collector`;
  const event = new URL(url);
  event.pathname = `${base}/event`;
  event.hash = '';
  const ack = new URL(event);
  ack.pathname = `${base}/ack`;
  ack.search = '';
  return { event, ack };
}

/**
 * Delivers batches to a Splunk HTTP Event Collector: one JSON event envelope per item, concatenated in
 * one request, `Authorization: Splunk <token>`. With indexer acknowledgement it sends a channel (one per
 * transport), reads the `ackId` and asks `…/ack` until the batch is indexed, within `ackTimeoutMs`; a
 * batch not confirmed by then is retried (sent again: the receiver de-duplicates on the event id).
 */
export class SplunkHecTransport implements SinkTransport {
  private readonly endpoints: { event: URL; ack: URL };
  private readonly client: BoundedHttpClient;
  private readonly clock: Clock;
  private readonly channel = randomUUID();
  private readonly closing = new AbortController();

  constructor(private readonly options: SplunkHecTransportOptions) {
    if (!/^[\x21-\x7e]+$/.test(options.token)) throw new TypeError('a HEC token is printable ASCII without spaces');
    this.endpoints = hecEndpoints(new URL(options.url));
    this.clock = options.clock ?? new SystemClock();
    this.client = new BoundedHttpClient({
      guard: options.guard,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      ca: options.ca,
    });
  }

  async deliver(batch: StreamBatch): Promise<Delivery> {
    if (batch.items.length === 0) throw new TypeError('an empty batch has nothing to deliver');
    const body = batch.items.map((item) => JSON.stringify(this.envelope(item))).join('');
    const result = await this.client.post(this.endpoints.event, this.headers(), body);
    if (result.kind === 'failed') return deliveryForFailure(result);
    const reply = parseHecReply(result.body);
    if (result.status < 200 || result.status >= 300 || !this.options.indexerAck) {
      return deliveryForStatus(result, WHO, this.describe(result), this.clock.now());
    }
    if (!result.complete) {
      return { outcome: 'retry', error: `${WHO} answered ${result.status} but its answer was cut short` };
    }
    if (typeof reply?.ackId !== 'number') {
      return {
        outcome: 'rejected',
        error:
          `${WHO} took the batch but returned no ackId: turn on indexer acknowledgement for the HEC token, ` +
          'or turn it off for this sink',
      };
    }
    return this.awaitIndexing(reply.ackId, cookiesOf(result));
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.client.close();
  }

  /** Asks the ack endpoint, waiting longer each time, until the batch is indexed or the time is up. */
  private async awaitIndexing(ackId: number, cookie: string | undefined): Promise<Delivery> {
    const ackTimeoutMs = this.options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    const deadline = performance.now() + ackTimeoutMs;
    let wait = this.options.ackPollMs ?? DEFAULT_ACK_POLL_MS;
    let lastProblem = 'not indexed yet';
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) {
        return {
          outcome: 'retry',
          error: `${WHO} did not confirm indexing of ackId ${ackId} within ${ackTimeoutMs} ms (${lastProblem})`,
        };
      }
      try {
        await sleep(Math.min(wait, left), undefined, { signal: this.closing.signal });
      } catch {
        return { outcome: 'retry', error: `the sink closed while waiting for ${WHO} to index ackId ${ackId}` };
      }
      wait = Math.min(wait * 2, MAX_ACK_POLL_MS);
      const headers = { ...this.headers(), ...(cookie ? { cookie } : {}) };
      const result = await this.client.post(this.endpoints.ack, headers, JSON.stringify({ acks: [ackId] }));
      if (result.kind === 'failed') {
        if (result.refused) return deliveryForFailure(result);
        lastProblem = result.error;
        continue;
      }
      const verdict = deliveryForStatus(result, `${WHO} (ack)`, this.describe(result), this.clock.now());
      if (verdict.outcome === 'acknowledged') {
        if (parseHecReply(result.body)?.acks?.[String(ackId)] === true) return verdict;
        continue;
      }
      // Busy or failing for a moment: ask again. A refusal (ack disabled, bad token) is the admin's.
      if (verdict.outcome !== 'retry') return verdict;
      lastProblem = verdict.error;
    }
  }

  private headers(): OutgoingHttpHeaders {
    return {
      authorization: `Splunk ${this.options.token}`,
      'content-type': 'application/json',
      ...(this.options.indexerAck ? { 'x-splunk-request-channel': this.channel } : {}),
    };
  }

  private envelope(item: StreamItem): Record<string, unknown> {
    const at = item.kind === 'event' ? item.event.occurredAt : item.checkpoint.time;
    return {
      // Epoch seconds with the milliseconds as decimals, as HEC reads `time`.
      time: Date.parse(at) / 1000,
      host: this.options.host ?? hostname(),
      source: this.options.source ?? 'stepguard',
      sourcetype: this.options.sourcetype ?? 'stepguard:audit',
      ...(this.options.index ? { index: this.options.index } : {}),
      event: this.options.render(item),
    };
  }

  private describe(result: Extract<PostResult, { kind: 'answered' }>): string {
    return describeHecReply(parseHecReply(result.body), result.body, this.options.token);
  }
}

/**
 * The cookies HEC (or the load balancer before it) set, sent back on ack queries: behind a load
 * balancer, only the indexer that took the batch knows its ackId, and a sticky cookie routes there.
 */
function cookiesOf(result: Extract<PostResult, { kind: 'answered' }>): string | undefined {
  const pairs = (result.headers['set-cookie'] ?? []).map((cookie) => cookie.split(';')[0]!.trim()).filter(Boolean);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

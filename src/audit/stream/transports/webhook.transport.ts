import { Clock, SystemClock } from '../../../common/clock.js';
import type { EgressGuard } from '../egress/egress-guard.js';
import type { Delivery, SinkTransport, StreamBatch } from '../sink-transport.js';
import type { StreamItem } from '../stream-item.js';
import { BoundedHttpClient, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS } from './bounded-http-client.js';
import { bodySnippet, deliveryForFailure, deliveryForStatus } from './receiver-response.js';
import { webhookSignatures, webhookSigningKey } from './webhook-signature.js';

export interface WebhookTransportOptions {
  url: string | URL;
  /**
   * The sink's `whsec_…` secrets. One normally; during a rotation the new and the old, and every request
   * carries a signature by each.
   */
  secrets: readonly string[];
  /** A JSON array of rendered items per request (even of one), or exactly one rendered item per request. */
  batched: boolean;
  /** The sink's format: one stream item as the JSON object the receiver gets. */
  render: (item: StreamItem) => Record<string, unknown>;
  guard: EgressGuard;
  /** The source of `webhook-timestamp`. */
  clock?: Clock;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** PEM CA certificates for a receiver whose certificate a private CA issued. */
  ca?: string | Buffer;
}

/** What Standard Webhooks allows in `webhook-id`: it is signed as `id.timestamp.body`, so no dot. */
const WEBHOOK_ID = /^[\x21-\x2d\x2f-\x7e]{1,255}$/;

/**
 * Delivers batches as Standard Webhooks v1 requests: `webhook-id` is the batch id (the same on every
 * retry, the receiver's idempotency key), `webhook-timestamp` the attempt's time, `webhook-signature`
 * one `v1,` HMAC-SHA256 per secret.
 */
export class WebhookTransport implements SinkTransport {
  private readonly url: URL;
  private readonly keys: Buffer[];
  private readonly client: BoundedHttpClient;
  private readonly clock: Clock;

  constructor(private readonly options: WebhookTransportOptions) {
    if (options.secrets.length === 0) throw new TypeError('a webhook sink needs at least one secret');
    this.keys = options.secrets.map(webhookSigningKey);
    this.url = new URL(options.url);
    this.clock = options.clock ?? new SystemClock();
    this.client = new BoundedHttpClient({
      guard: options.guard,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      ca: options.ca,
    });
  }

  /**
   * Throws (a TypeError) only for a batch that breaks the contract: empty, several items for a sink that
   * does not batch, or an id that cannot be a `webhook-id`. Everything else is in the Delivery.
   */
  async deliver(batch: StreamBatch): Promise<Delivery> {
    const body = this.bodyOf(batch);
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const result = await this.client.post(
      this.url,
      {
        'content-type': 'application/json',
        'webhook-id': batch.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': webhookSignatures(this.keys, batch.id, timestamp, body),
      },
      body,
    );
    if (result.kind === 'failed') return deliveryForFailure(result);
    // The status is the whole answer: a 2xx whose body was cut at the cap still acknowledged the batch.
    return deliveryForStatus(result, 'the receiver', bodySnippet(result.body, this.options.secrets), this.clock.now());
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private bodyOf(batch: StreamBatch): string {
    if (!WEBHOOK_ID.test(batch.id)) {
      throw new TypeError(`batch id ${JSON.stringify(batch.id)} cannot be a webhook-id (printable, no dot)`);
    }
    if (batch.items.length === 0) throw new TypeError('an empty batch has nothing to deliver');
    if (this.options.batched) return JSON.stringify(batch.items.map((item) => this.options.render(item)));
    if (batch.items.length > 1) throw new TypeError('a sink that does not batch takes one item per batch');
    return JSON.stringify(this.options.render(batch.items[0]!));
  }
}

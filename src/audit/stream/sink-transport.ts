import type { StreamItem } from './stream-item.js';

/** What a receiver said about one batch. */
export type Delivery =
  /** The receiver took every item of the batch: the cursor may move past it. */
  | { outcome: 'acknowledged' }
  /** Worth trying again (network error, timeout, TLS failure, 5xx, 408, 429): `retryAfterMs` from Retry-After. */
  | { outcome: 'retry'; error: string; retryAfterMs?: number }
  /** The receiver refused the payload itself (a 4xx other than 408, 410 and 429): the sink parks at the batch. */
  | { outcome: 'rejected'; error: string }
  /** The receiver says the endpoint is gone for good (410): the sink is disabled. */
  | { outcome: 'gone'; error: string };

/** One delivery attempt's batch; a retry sends the same items under the same id. */
export interface StreamBatch {
  /** Stable across retries: the event's id for a batch of one item, else derived from the items. */
  id: string;
  items: readonly StreamItem[];
}

/**
 * Sends batches to one sink's receiver. `deliver` never throws for anything the receiver or the network
 * did: it says so in the `Delivery`. Secrets it holds never appear in an error message.
 */
export interface SinkTransport {
  deliver(batch: StreamBatch): Promise<Delivery>;
  close(): Promise<void>;
}

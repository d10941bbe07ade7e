import type { AuditEventView } from '../queries/list-audit-events.query.js';

/**
 * A signed checkpoint as streamed and served: the platform's Ed25519 signature over a chain's head at
 * one moment, linked to the chain's previous checkpoint, so a receiver can tell that no tail was cut.
 */
export interface AuditCheckpointView {
  /** The checkpoint's own number in its chain: 1, 2, 3, … without gaps (a gap is a missing heartbeat). */
  number: number;
  /** The tenant, or null for the platform chain. */
  tenantId: string | null;
  /** The last seq the checkpoint covers (0 for a chain with no event yet). */
  seq: number;
  /** The hash of that event (the genesis hash for seq 0). */
  headHash: string;
  /** When it was signed (ISO 8601). */
  time: string;
  /** The signature of the chain's previous checkpoint (base64url), or null for the first. */
  previous: string | null;
  keyId: string;
  /** Ed25519 over the canonical JSON of `{ tenant, seq, headHash, time, previous }` (base64url). */
  signature: string;
}

/** What the stream carries, in chain order: the audit events and, after the event it covers, each checkpoint. */
export type StreamItem =
  { kind: 'event'; event: AuditEventView } | { kind: 'checkpoint'; checkpoint: AuditCheckpointView };

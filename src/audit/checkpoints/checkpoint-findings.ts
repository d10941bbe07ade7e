import type { AuditCheckpointView } from '../stream/stream-item.js';

export type CheckpointProblem =
  /** The signature does not verify: the checkpoint was forged or altered. */
  | 'checkpoint_signature_invalid'
  /** Signed with a key id no configured key has. */
  | 'checkpoint_key_unknown'
  /** `previous` is not the signature of the checkpoint numbered one less. */
  | 'checkpoint_link_broken'
  /** Checkpoint numbers skip: checkpoints were deleted. */
  | 'checkpoint_number_gap'
  /** Longer than the cadence allows without a checkpoint: heartbeats are missing. */
  | 'heartbeat_missing'
  /** A later checkpoint covers a lower seq than an earlier one: the chain was cut between them. */
  | 'checkpoint_seq_went_back'
  /** A checkpoint covers a seq past the chain's end: events after it were deleted. */
  | 'checkpoint_past_chain_end'
  /** There is no event at a seq a checkpoint covers, inside the chain. */
  | 'checkpoint_event_missing'
  /** The event at a checkpoint's seq no longer has the hash it signed: the chain was rewritten. */
  | 'checkpoint_hash_mismatch'
  /** The chain has no events left though checkpoints (or its tenant) say it had: a TRUNCATE or DELETE. */
  | 'chain_emptied'
  /** A checkpoint held outside is not stored any more, or the stored one differs. */
  | 'checkpoint_missing'
  | 'checkpoint_replaced'
  /** A checkpoint held outside belongs to another chain. */
  | 'checkpoint_other_chain';

export interface CheckpointFinding {
  problem: CheckpointProblem;
  /** The checkpoint the finding is about, when there is one. */
  checkpoint: number | null;
  detail: string;
}

/** A finding about checkpoint `c`. */
export function finding(problem: CheckpointProblem, c: AuditCheckpointView, detail: string): CheckpointFinding {
  return { problem, checkpoint: c.number, detail };
}

export function minutes(ms: number): string {
  const m = Math.round(ms / 6_000) / 10;
  return `${m} minute${m === 1 ? '' : 's'}`;
}

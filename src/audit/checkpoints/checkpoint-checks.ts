import { GENESIS_HASH } from '../audit-hash.js';
import type { AuditCheckpointView } from '../stream/stream-item.js';
import { type CheckpointFinding, finding, minutes } from './checkpoint-findings.js';

/** What the chain holds now, for comparing checkpoints with it. */
export interface ChainEnd {
  /** The highest seq stored, or 0 when the chain has no events. */
  lastSeq: number;
  /** Retention purged every event up to here (0: none), the last with this hash. */
  purgedThroughSeq: number;
  purgedThroughHash: string;
}

/**
 * Whether the chain still holds what a checkpoint signed: an event at its seq with the hash it signed.
 * `eventHash` is the stored hash of the event at `c.seq` (undefined when there is none).
 */
export function checkAgainstChain(
  c: AuditCheckpointView,
  eventHash: string | undefined,
  chain: ChainEnd,
): CheckpointFinding | null {
  if (c.seq === 0) {
    return c.headHash === GENESIS_HASH
      ? null
      : finding('checkpoint_hash_mismatch', c, `checkpoint #${c.number} covers seq 0 but not with the genesis hash`);
  }
  if (c.seq <= chain.purgedThroughSeq) {
    // Its event was purged by retention; only the last one purged is still known, by its recorded hash.
    return c.seq < chain.purgedThroughSeq || c.headHash === chain.purgedThroughHash
      ? null
      : finding(
          'checkpoint_hash_mismatch',
          c,
          `the last purged event, seq ${c.seq}, had another hash than checkpoint #${c.number} signed: the chain was rewritten`,
        );
  }
  if (chain.lastSeq === 0) {
    return finding(
      'chain_emptied',
      c,
      `checkpoint #${c.number} (${c.time}) covers seq ${c.seq}, but the chain has no events left: its rows were truncated or deleted`,
    );
  }
  if (c.seq > chain.lastSeq) {
    return finding(
      'checkpoint_past_chain_end',
      c,
      `rows deleted after checkpoint #${c.number} (${c.time}): it covers seq ${c.seq}, but the chain ends at seq ${chain.lastSeq}`,
    );
  }
  if (eventHash === undefined) {
    return finding(
      'checkpoint_event_missing',
      c,
      `the event at seq ${c.seq}, covered by checkpoint #${c.number}, is missing`,
    );
  }
  if (eventHash !== c.headHash) {
    return finding(
      'checkpoint_hash_mismatch',
      c,
      `the event at seq ${c.seq} no longer has the hash checkpoint #${c.number} signed: the chain up to it was rewritten`,
    );
  }
  return null;
}

/**
 * The time since the last heartbeat: the newest checkpoint, or with none at all, the newest event (a
 * chain younger than the cadence may have none yet).
 */
export function heartbeatFinding(
  newest: AuditCheckpointView | null,
  newestEventAt: Date | null,
  now: Date,
  maxGapMs: number,
): CheckpointFinding | null {
  if (newest) {
    const since = now.getTime() - Date.parse(newest.time);
    if (since <= maxGapMs) return null;
    return finding(
      'heartbeat_missing',
      newest,
      `no checkpoint since #${newest.number} (${newest.time}), ${minutes(since)} ago; the cadence allows ${minutes(maxGapMs)}: ` +
        'newer checkpoints were deleted, or no worker has taken any',
    );
  }
  if (!newestEventAt || now.getTime() - newestEventAt.getTime() <= maxGapMs) return null;
  return {
    problem: 'heartbeat_missing',
    checkpoint: null,
    detail:
      `no checkpoint at all, though the newest event is from ${newestEventAt.toISOString()}: ` +
      'the checkpoints were deleted, or no worker has taken any',
  };
}

/**
 * A checkpoint held outside (saved by a SIEM) against the stored ones: `stored` is the stored checkpoint
 * with its number, `newestStored` the highest number stored (0 for none), `thinned` the newest checkpoint
 * retention thinned (kept in the purge record), if any.
 */
export function givenFindings(
  given: AuditCheckpointView,
  tenantId: string | null,
  stored: AuditCheckpointView | null,
  newestStored: number,
  thinned: AuditCheckpointView | null = null,
): CheckpointFinding[] {
  if (given.tenantId !== tenantId) {
    const whose = given.tenantId === null ? 'the platform chain' : `tenant ${given.tenantId}`;
    return [finding('checkpoint_other_chain', given, `the given checkpoint is of ${whose}, not of this chain`)];
  }
  if (!stored && thinned && given.number <= thinned.number) {
    // Thinned by retention: its signature and its seq are still checked; the newest thinned is kept whole.
    if (given.number < thinned.number || given.signature === thinned.signature) return [];
    stored = thinned;
  }
  if (!stored) {
    const why =
      given.number > newestStored
        ? `the newest stored is #${newestStored}: newer checkpoints were deleted`
        : 'it was deleted';
    return [finding('checkpoint_missing', given, `the given checkpoint #${given.number} is not stored: ${why}`)];
  }
  if (stored.signature !== given.signature) {
    return [
      finding(
        'checkpoint_replaced',
        given,
        `the stored checkpoint #${given.number} differs from the given one: it was replaced`,
      ),
    ];
  }
  return [];
}

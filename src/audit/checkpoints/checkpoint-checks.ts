import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH } from '../audit-hash.js';
import type { AuditCheckpointView } from '../stream/stream-item.js';
import { checkSignature } from './checkpoint-signature.js';

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

/** Where a walk over a chain's stored checkpoints stands; carried from one batch to the next. */
export interface CheckpointWalk {
  count: number;
  last: AuditCheckpointView | null;
}

export const startCheckpointWalk = (): CheckpointWalk => ({ count: 0, last: null });

export interface CheckpointRules {
  keys: ReadonlyMap<string, KeyObject>;
  /** The longest interval between two checkpoints that is still on cadence (the interval plus a tolerance). */
  maxGapMs: number;
}

/**
 * Checks the next stored checkpoints of a chain, in number order: each one signed by a known key,
 * numbered one more than the one before, linked to its signature, no lower a seq, and no further apart
 * in time than the cadence allows.
 */
export function walkCheckpoints(
  walk: CheckpointWalk,
  batch: readonly AuditCheckpointView[],
  rules: CheckpointRules,
): { walk: CheckpointWalk; findings: CheckpointFinding[] } {
  const findings: CheckpointFinding[] = [];
  let { count, last } = walk;
  for (const c of batch) {
    const signature = signatureFinding(c, rules);
    if (signature) findings.push(signature);
    findings.push(...sequenceFindings(last, c, rules));
    count++;
    last = c;
  }
  return { walk: { count, last }, findings };
}

export function signatureFinding(
  c: AuditCheckpointView,
  rules: Pick<CheckpointRules, 'keys'>,
): CheckpointFinding | null {
  const check = checkSignature(c, rules.keys);
  if (check === 'valid') return null;
  if (check === 'unknown_key') {
    return finding(
      'checkpoint_key_unknown',
      c,
      `checkpoint #${c.number} is signed with key "${c.keyId}", which no configured key has`,
    );
  }
  return finding(
    'checkpoint_signature_invalid',
    c,
    `the signature of checkpoint #${c.number} does not verify: it was forged or altered`,
  );
}

function sequenceFindings(
  prev: AuditCheckpointView | null,
  c: AuditCheckpointView,
  rules: CheckpointRules,
): CheckpointFinding[] {
  const expected = (prev?.number ?? 0) + 1;
  const found: CheckpointFinding[] = [];
  if (c.number !== expected) {
    const missing =
      c.number - 1 === expected ? `checkpoint #${expected} is` : `checkpoints #${expected}-#${c.number - 1} are`;
    found.push(
      finding('checkpoint_number_gap', c, `${missing} missing (deleted): the next stored one is #${c.number}`),
    );
  } else if (c.previous !== (prev?.signature ?? null)) {
    const what = prev ? `the signature of #${prev.number}` : 'null (it is the first)';
    found.push(
      finding(
        'checkpoint_link_broken',
        c,
        `checkpoint #${c.number} does not link to the one before: its previous is not ${what}`,
      ),
    );
  }
  if (!prev) return found;
  if (c.seq < prev.seq) {
    found.push(
      finding(
        'checkpoint_seq_went_back',
        c,
        `checkpoint #${c.number} covers seq ${c.seq}, below the seq ${prev.seq} of #${prev.number}: events were deleted in between`,
      ),
    );
  }
  const gap = Date.parse(c.time) - Date.parse(prev.time);
  if (gap > rules.maxGapMs) {
    found.push(
      finding(
        'heartbeat_missing',
        c,
        `no checkpoint between #${prev.number} (${prev.time}) and #${c.number} (${c.time}): ${minutes(gap)} ` +
          `without a heartbeat, the cadence allows ${minutes(rules.maxGapMs)}`,
      ),
    );
  }
  return found;
}

/** What the chain holds now, for comparing checkpoints with it. */
export interface ChainEnd {
  /** The highest seq stored, or 0 when the chain has no events. */
  lastSeq: number;
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
 * with its number, `newestStored` the highest number stored (0 for none).
 */
export function givenFindings(
  given: AuditCheckpointView,
  tenantId: string | null,
  stored: AuditCheckpointView | null,
  newestStored: number,
): CheckpointFinding[] {
  if (given.tenantId !== tenantId) {
    const whose = given.tenantId === null ? 'the platform chain' : `tenant ${given.tenantId}`;
    return [finding('checkpoint_other_chain', given, `the given checkpoint is of ${whose}, not of this chain`)];
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

function finding(problem: CheckpointProblem, c: AuditCheckpointView, detail: string): CheckpointFinding {
  return { problem, checkpoint: c.number, detail };
}

function minutes(ms: number): string {
  const m = Math.round(ms / 6_000) / 10;
  return `${m} minute${m === 1 ? '' : 's'}`;
}

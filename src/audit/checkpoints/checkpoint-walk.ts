import type { KeyObject } from 'node:crypto';
import type { AuditCheckpointView } from '../stream/stream-item.js';
import { type CheckpointFinding, finding, minutes } from './checkpoint-findings.js';
import { checkSignature } from './checkpoint-signature.js';

/** Where a walk over a chain's stored checkpoints stands; carried from one batch to the next. */
export interface CheckpointWalk {
  count: number;
  last: AuditCheckpointView | null;
}

/** From the first checkpoint, or from the newest one retention thinned (not counted: it is not stored). */
export const startCheckpointWalk = (from: AuditCheckpointView | null = null): CheckpointWalk => ({
  count: 0,
  last: from,
});

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

import type { AuditEvent } from './audit-event.entity.js';
import { auditHash, GENESIS_HASH } from './audit-hash.js';

export type ChainProblem =
  | 'seq_gap'
  | 'seq_out_of_order'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  | 'head_mismatch'
  /** The chain starts after a purge that the chain itself does not record (no AuditRetentionPurged event). */
  | 'purge_unrecorded';

export type ChainVerdict =
  | { ok: true; checked: number; lastSeq: number }
  | { ok: false; checked: number; brokenAt: number; problem: ChainProblem; detail: string };

/** The recorded end of a chain (audit_chains), or null when the chain has no head row. */
export interface ChainHead {
  lastSeq: number;
  lastHash: string;
}

/** Where a walk stands after the links checked so far; carried from one batch to the next. */
export interface ChainWalk {
  checked: number;
  lastSeq: number;
  lastHash: string;
}

/**
 * A walk from the genesis, or from where retention purged the chain up to: the last purged event's seq and
 * hash, which the first retained event must follow.
 */
export const startWalk = (from: { seq: number; hash: string } | null = null): ChainWalk => ({
  checked: 0,
  lastSeq: from?.seq ?? 0,
  lastHash: from?.hash ?? GENESIS_HASH,
});

export type Broken = Extract<ChainVerdict, { ok: false }>;

/**
 * Checks the next links of a chain, given in the order they were read (seq order): each one must
 * carry the next seq, point at the previous link's hash, and hash to what it claims. Returns the
 * walk advanced past `events`, or the first broken link.
 */
export function walkChain(walk: ChainWalk, events: readonly AuditEvent[]): ChainWalk | Broken {
  let { checked, lastSeq, lastHash } = walk;
  for (const event of events) {
    const seq = Number(event.seq);
    const expected = lastSeq + 1;
    if (seq > expected) {
      const detail = expected === seq - 1 ? `seq ${expected} is missing` : `seqs ${expected}-${seq - 1} are missing`;
      return broken(checked, expected, 'seq_gap', `${detail} (the next event is seq ${seq})`);
    }
    if (seq < expected) return broken(checked, seq, 'seq_out_of_order', `seq ${seq} comes after seq ${lastSeq}`);
    if (event.prevHash !== lastHash) {
      return broken(checked, seq, 'prev_hash_mismatch', `prevHash does not match the hash of seq ${lastSeq}`);
    }
    if (auditHash(event.prevHash, event) !== event.hash) {
      return broken(
        checked,
        seq,
        'hash_mismatch',
        'the event does not hash to its stored hash: its content was changed',
      );
    }
    checked++;
    lastSeq = seq;
    lastHash = event.hash;
  }
  return { checked, lastSeq, lastHash };
}

/**
 * Compares the end of a complete walk with the chain head, which every append updates in the same
 * transaction: links missing at the tail (or added past it) show up only here.
 */
export function endWalk(walk: ChainWalk, head: ChainHead | null): ChainVerdict {
  const { checked, lastSeq, lastHash } = walk;
  if (!head) {
    if (checked === 0) return { ok: true, checked, lastSeq };
    return broken(checked, 1, 'head_mismatch', `the chain has ${checked} events but no head`);
  }
  if (head.lastSeq > lastSeq) {
    return broken(
      checked,
      lastSeq + 1,
      'head_mismatch',
      `the head is at seq ${head.lastSeq} but the events end at seq ${lastSeq}`,
    );
  }
  if (head.lastSeq < lastSeq) {
    return broken(
      checked,
      head.lastSeq + 1,
      'head_mismatch',
      `events continue past the head (seq ${head.lastSeq}) to seq ${lastSeq}`,
    );
  }
  if (head.lastHash !== lastHash) {
    return broken(checked, lastSeq, 'head_mismatch', `the head's hash does not match the hash of seq ${lastSeq}`);
  }
  return { ok: true, checked, lastSeq };
}

/** A whole chain at once; the verifier walks the database in batches with the same two steps. */
export function verifyChain(events: readonly AuditEvent[], head: ChainHead | null): ChainVerdict {
  const walk = walkChain(startWalk(), events);
  return isBroken(walk) ? walk : endWalk(walk, head);
}

export function isBroken(walk: ChainWalk | Broken): walk is Broken {
  return 'ok' in walk;
}

export function broken(checked: number, brokenAt: number, problem: ChainProblem, detail: string): Broken {
  return { ok: false, checked, brokenAt, problem, detail };
}

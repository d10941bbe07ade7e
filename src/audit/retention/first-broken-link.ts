import type { EntityManager } from '@mikro-orm/postgresql';
import { TenantScope } from '../../common/tenant-scope.js';
import { isBroken, startWalk, walkChain } from '../audit-chain.js';
import { AuditEvent } from '../audit-event.entity.js';

/**
 * The first broken link among a chain's events after `from` up to `throughSeq`, or null when each one carries
 * the next seq, points at the previous hash and hashes to its own: a purge must never destroy the evidence of an
 * edit, so what goes is checked first. One batch of a purge at most (it is read whole).
 */
export async function firstBrokenLink(
  em: EntityManager,
  chainKey: string,
  from: { seq: number; hash: string },
  throughSeq: number,
): Promise<{ seq: number; problem: string } | null> {
  if (throughSeq === from.seq) return null;
  const events = await TenantScope.acrossTenants('a chain is read whole, by its key', () =>
    em.find(
      AuditEvent,
      { chainKey, seq: { $gt: String(from.seq), $lte: String(throughSeq) } },
      { orderBy: { seq: 'asc' } },
    ),
  );
  // Read to be checked, never to be changed: nothing of them is left for a flush to look at.
  em.clear();
  const walk = walkChain(startWalk(from), events);
  if (isBroken(walk)) return { seq: walk.brokenAt, problem: walk.problem };
  if (walk.lastSeq !== throughSeq) return { seq: walk.lastSeq + 1, problem: 'seq_gap' };
  return null;
}

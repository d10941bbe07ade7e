import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * What the next purge of a chain may delete, as `audit_purge_bounds` (migration 0023) computes it: from the
 * horizon (the last purge) up to `throughSeq` and `throughCheckpoint`, both equal to the horizon when nothing
 * may go. The same function decides inside `audit_purge`, so a dry run and a purge never disagree.
 */
export interface PurgeBounds {
  /** The cutoff in force: the one asked for, or a day before the database's now if that is earlier. */
  cutoff: Date;
  /** The chain's last seq (0 for a chain without events). */
  headSeq: number;
  horizonSeq: number;
  /** The hash of the event at `horizonSeq` (the genesis hash for 0): the next event's prevHash. */
  horizonHash: string;
  horizonCheckpoint: number;
  throughSeq: number;
  throughCheckpoint: number;
  /** The sink whose cursor stops the purge, and where: events after it are old enough but not yet received. */
  heldBy: { sinkId: string; seq: number } | null;
}

interface BoundsRow {
  cutoff_ms: string;
  head_seq: string;
  horizon_seq: string;
  horizon_hash: string;
  horizon_checkpoint: string;
  through_seq: string;
  through_checkpoint: string;
  held_seq: string | null;
  held_by: string | null;
}

/** `limit` bounds the events and the checkpoints one purge takes; null for all of them (a dry run). */
export async function purgeBoundsOf(
  em: EntityManager,
  chainKey: string,
  before: Date,
  limit: number | null,
): Promise<PurgeBounds> {
  const [row] = await em.execute<BoundsRow[]>(
    `select (extract(epoch from cutoff) * 1000)::bigint as cutoff_ms, head_seq, horizon_seq, horizon_hash,
            coalesce((horizon_checkpoint->>'number')::bigint, 0) as horizon_checkpoint,
            through_seq, through_checkpoint, held_seq, held_by
       from audit_purge_bounds(?, ?, ?)`,
    [chainKey, before, limit],
  );
  const bounds = row!;
  return {
    cutoff: new Date(Number(bounds.cutoff_ms)),
    headSeq: Number(bounds.head_seq),
    horizonSeq: Number(bounds.horizon_seq),
    horizonHash: bounds.horizon_hash,
    horizonCheckpoint: Number(bounds.horizon_checkpoint),
    throughSeq: Number(bounds.through_seq),
    throughCheckpoint: Number(bounds.through_checkpoint),
    heldBy: bounds.held_by === null ? null : { sinkId: bounds.held_by, seq: Number(bounds.held_seq) },
  };
}

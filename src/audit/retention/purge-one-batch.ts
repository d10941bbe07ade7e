import type { EntityManager } from '@mikro-orm/postgresql';

/** One purge as `audit_purge` recorded it: what the AuditRetentionPurged event names. */
export interface PurgeRecord {
  purge: number;
  cutoff: Date;
  /** The first event deleted, or null when the purge only thinned checkpoints; all through `throughSeq` are gone. */
  fromSeq: number | null;
  throughSeq: number;
  throughHash: string;
  checkpointsFrom: number | null;
  checkpointsThrough: number;
}

interface PurgedRow {
  number: string;
  cutoff_ms: string;
  from_seq: string | null;
  through_seq: string;
  through_hash: string;
  checkpoints_from: string | null;
  checkpoints_through: string;
}

/**
 * Calls the owner's `audit_purge` (migration 0023) in the caller's transaction: at most `limit` events, none past
 * `throughSeq` (what the caller checked), and at most `limit` checkpoints. Null when it found nothing to delete
 * (another purge of the chain took the batch first).
 */
export async function purgeOneBatch(
  em: EntityManager,
  chainKey: string,
  cutoff: Date,
  throughSeq: number,
  limit: number,
): Promise<PurgeRecord | null> {
  const [row] = await em.execute<PurgedRow[]>(
    `select number, (extract(epoch from cutoff) * 1000)::bigint as cutoff_ms, from_seq, through_seq, through_hash,
            checkpoints_from, checkpoints_through
       from audit_purge(?, ?, ?, ?)`,
    [chainKey, cutoff, throughSeq, limit],
  );
  if (!row) return null;
  const optional = (value: string | null) => (value === null ? null : Number(value));
  return {
    purge: Number(row.number),
    cutoff: new Date(Number(row.cutoff_ms)),
    fromSeq: optional(row.from_seq),
    throughSeq: Number(row.through_seq),
    throughHash: row.through_hash,
    checkpointsFrom: optional(row.checkpoints_from),
    checkpointsThrough: Number(row.checkpoints_through),
  };
}

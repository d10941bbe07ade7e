import type { EntityManager } from '@mikro-orm/postgresql';
import { tenantOfChain } from '../checkpoints/checkpoint-reader.js';
import type { AuditCheckpointView } from '../stream/stream-item.js';
import { AuditRetentionPurgedEvent } from './events/audit-retention-purged.event.js';

const PURGED_ACTION = AuditRetentionPurgedEvent.type;

/**
 * Where a chain's retention purges have reached (the newest row of `audit_purges`): every event up to
 * `throughSeq` is gone and `throughHash` was the last one's hash, which the next event names as its prevHash,
 * so a walk of the chain starts there. `checkpoint` is the newest thinned checkpoint, kept whole.
 */
export interface PurgeHorizon {
  /** The newest purge's number (purges of a chain count 1, 2, 3, …). */
  number: number;
  purgedAt: Date;
  cutoff: Date;
  /** The oldest purge still on record (older records go with the events that describe them). */
  firstPurgedAt: Date;
  throughSeq: number;
  throughHash: string;
  checkpoint: AuditCheckpointView | null;
}

/** Times in epoch milliseconds: the driver gives timestamps as text. */
interface PurgeRow {
  number: string;
  purged_ms: string;
  cutoff_ms: string;
  first_purged_ms: string;
  through_seq: string;
  through_hash: string;
  last_checkpoint: StoredCheckpoint | null;
}

/** A checkpoint row as `to_jsonb` wrote it into the purge record. */
interface StoredCheckpoint {
  number: number;
  seq: number;
  head_hash: string;
  time: string;
  previous: string | null;
  key_id: string;
  signature: string;
}

/** The chain's purge horizon, or null when nothing of it was ever purged. */
export async function purgeHorizonOf(em: EntityManager, chainKey: string): Promise<PurgeHorizon | null> {
  const [row] = await em.execute<PurgeRow[]>(
    `select p.number, p.through_seq, p.through_hash, p.last_checkpoint, ${ms('p.purged_at')} as purged_ms,
            ${ms('p.cutoff')} as cutoff_ms,
            (select ${ms('min(o.purged_at)')} from audit_purges o where o.chain_key = p.chain_key) as first_purged_ms
       from audit_purges p where p.chain_key = ? order by p.number desc limit 1`,
    [chainKey],
  );
  if (!row) return null;
  const c = row.last_checkpoint;
  return {
    number: Number(row.number),
    purgedAt: new Date(Number(row.purged_ms)),
    cutoff: new Date(Number(row.cutoff_ms)),
    firstPurgedAt: new Date(Number(row.first_purged_ms)),
    throughSeq: Number(row.through_seq),
    throughHash: row.through_hash,
    checkpoint: c && {
      number: Number(c.number),
      tenantId: tenantOfChain(chainKey),
      seq: Number(c.seq),
      headHash: c.head_hash,
      time: new Date(c.time).toISOString(),
      previous: c.previous,
      keyId: c.key_id,
      signature: c.signature,
    },
  };
}

const ms = (timestamp: string) => `(extract(epoch from ${timestamp}) * 1000)::bigint`;

/**
 * Whether the chain itself records the newest purge: the AuditRetentionPurged event appended in the purge's
 * transaction, naming the same purge and horizon. The chain is hash-verified, so a purge record written any
 * other way (`audit_purge` called without its event, or a row slipped into `audit_purges`) has none.
 */
export async function purgeRecordedOnChain(
  em: EntityManager,
  chainKey: string,
  horizon: PurgeHorizon,
): Promise<boolean> {
  const rows = await em.execute<{ through_seq: string; through_hash: string; checkpoints_through: string }[]>(
    `select details->>'throughSeq' as through_seq, details->>'throughHash' as through_hash,
            details->>'checkpointsThrough' as checkpoints_through
       from audit_events where chain_key = ? and action = ? and seq > ? and details->>'purge' = ?`,
    [chainKey, PURGED_ACTION, horizon.throughSeq, String(horizon.number)],
  );
  return rows.some(
    (r) =>
      r.through_seq === String(horizon.throughSeq) &&
      r.through_hash === horizon.throughHash &&
      r.checkpoints_through === String(horizon.checkpoint?.number ?? 0),
  );
}

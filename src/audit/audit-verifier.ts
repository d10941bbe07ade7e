import { IsolationLevel } from '@mikro-orm/core';
import { type EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { TenantScope } from '../common/tenant-scope.js';
import { broken, endWalk, isBroken, startWalk, walkChain, type ChainVerdict } from './audit-chain.js';
import { AuditChainHead, AuditEvent } from './audit-event.entity.js';
import { auditCheckpoints } from './checkpoints/checkpoint-audit.js';
import type { CheckpointFinding } from './checkpoints/checkpoint-findings.js';
import { CheckpointSigner } from './checkpoints/checkpoint-signer.js';
import { type PurgeHorizon, purgeHorizonOf, purgeRecordedOnChain } from './retention/purge-horizon.js';
import type { AuditCheckpointView } from './stream/stream-item.js';

const BATCH_SIZE = 1000;
/** Enough to say what happened; a chain cut early can contradict every checkpoint after the cut. */
const MAX_FINDINGS = 20;

export interface VerifyWithCheckpointsOptions {
  /** The longest interval between two checkpoints still on cadence (the interval plus a tolerance). */
  maxGapMs: number;
  /** A tenant's chain starts with its creation (false for the platform chain, which may be empty). */
  expectEvents: boolean;
  /** A checkpoint held outside Stepguard (a SIEM's copy): the chain and the stored ones must still match it. */
  given?: AuditCheckpointView | undefined;
  batchSize?: number;
}

/** The chain's verdict, and what its signed checkpoints say about its tail. */
export interface AuditLogReport {
  ok: boolean;
  chain: ChainVerdict;
  /** Where retention purged the chain up to, and the walk started from (null: it starts at the genesis). */
  purged: PurgeHorizon | null;
  checkpoints: { count: number; newest: AuditCheckpointView | null };
  /** The first findings in chain order; `omitted` counts the rest. */
  findings: CheckpointFinding[];
  omitted: number;
}

/**
 * Checks one hash chain end to end (ARCHITECTURE invariant 2): any edited, deleted, inserted or
 * reordered event breaks it, and the verdict names the first broken seq. With its checkpoints
 * (invariant 10), a tail cut together with its head, or the whole table emptied, shows too.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly signer: CheckpointSigner,
  ) {}

  /** `chainKey` is a tenant id, or `platform` (PLATFORM_CHAIN). */
  verify(chainKey: string, batchSize = BATCH_SIZE): Promise<ChainVerdict> {
    return this.inSnapshot(async (em) => (await walk(em, chainKey, batchSize)).chain);
  }

  /** The chain, then every stored checkpoint, the heartbeat and the given checkpoint, in one snapshot. */
  verifyWithCheckpoints(chainKey: string, options: VerifyWithCheckpointsOptions): Promise<AuditLogReport> {
    const batchSize = options.batchSize ?? BATCH_SIZE;
    return this.inSnapshot(async (em) => {
      const { chain, purged } = await walk(em, chainKey, batchSize);
      const audit = await auditCheckpoints(em, {
        chainKey,
        purged,
        rules: { keys: this.signer.verifyingKeys, maxGapMs: options.maxGapMs },
        now: this.clock.now(),
        given: options.given,
        expectEvents: options.expectEvents,
        batchSize,
      });
      return {
        ok: chain.ok && audit.findings.length === 0,
        chain,
        purged,
        checkpoints: { count: audit.count, newest: audit.newest },
        findings: audit.findings.slice(0, MAX_FINDINGS),
        omitted: Math.max(0, audit.findings.length - MAX_FINDINGS),
      };
    });
  }

  private inSnapshot<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    // Every row of the chain, whatever tenant it claims: a row whose tenant_id was edited must show as
    // an edit, not vanish from the walk. (The platform chain's rows have no tenant at all.)
    // One snapshot for the head and every batch: appends committed meanwhile are not half-seen,
    // so a busy chain verifies without false alarms.
    return TenantScope.acrossTenants('a chain is read whole, by its key', () =>
      this.orm.em.fork().transactional(work, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true }),
    );
  }
}

/**
 * The chain from its purge horizon (or the genesis) to its head, and then, when it was purged, whether the
 * chain records that purge: events missing below the horizon are only accounted for by a recorded purge.
 */
async function walk(
  em: EntityManager,
  chainKey: string,
  batchSize: number,
): Promise<{ chain: ChainVerdict; purged: PurgeHorizon | null }> {
  const purged = await purgeHorizonOf(em, chainKey);
  const head = await em.findOne(AuditChainHead, { chainKey });
  let walk = startWalk(purged && { seq: purged.throughSeq, hash: purged.throughHash });
  for (;;) {
    // Keyset batches, cleared as they go: memory stays flat however long the chain is.
    const batch = await em.find(
      AuditEvent,
      { chainKey, seq: { $gt: String(walk.lastSeq) } },
      { orderBy: { seq: 'asc' }, limit: batchSize },
    );
    em.clear();
    const next = walkChain(walk, batch);
    if (isBroken(next)) return { chain: next, purged };
    walk = next;
    if (batch.length < batchSize) break;
  }
  const chain = endWalk(walk, head && { lastSeq: Number(head.lastSeq), lastHash: head.lastHash });
  if (!chain.ok || !purged || (await purgeRecordedOnChain(em, chainKey, purged))) return { chain, purged };
  return {
    chain: broken(
      chain.checked,
      purged.throughSeq,
      'purge_unrecorded',
      `events 1-${purged.throughSeq} are gone as purge #${purged.number} (${purged.purgedAt.toISOString()}) ` +
        'records, but no AuditRetentionPurged event on the chain names that purge: they were deleted outside ' +
        'the retention purge',
    ),
    purged,
  };
}

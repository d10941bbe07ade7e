import type { EntityManager } from '@mikro-orm/postgresql';
import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../../../common/actor.js';
import { AppConfig } from '../../../common/app-config.js';
import { Clock } from '../../../common/clock.js';
import { type Tx, UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { TenantScope } from '../../../common/tenant-scope.js';
import { isBroken, startWalk, walkChain } from '../../audit-chain.js';
import { AuditEvent } from '../../audit-event.entity.js';
import { AuditLog } from '../../audit-log.js';
import { tenantOfChain } from '../../checkpoints/checkpoint-reader.js';
import { AuditRetentionPurgedEvent } from '../events/audit-retention-purged.event.js';
import { type PurgeBounds, purgeBoundsOf } from '../purge-bounds.js';
import { type PurgedAuditLog, PurgeAuditLogCommand, type PurgeScope } from './purge-audit-log.command.js';

const DAY_MS = 24 * 3_600_000;

/** What `audit_purge` answers for the batch it deleted. */
interface PurgedRow {
  number: string;
  cutoff_ms: string;
  from_seq: string | null;
  through_seq: string;
  through_hash: string;
  checkpoints_from: string | null;
  checkpoints_through: string;
}

type BatchOutcome =
  | { kind: 'purged'; events: number; checkpoints: number }
  | { kind: 'done'; bounds: PurgeBounds }
  | { kind: 'broken'; seq: number; problem: string };

/**
 * Chain by chain (keyset batches over `audit_chains`), batch by batch: each batch reads the bounds, checks
 * the hash and link of every event that would go (a purge must never destroy the evidence of an edit), calls
 * the owner's `audit_purge` and records its AuditRetentionPurged event, all in one transaction.
 */
@CommandHandler(PurgeAuditLogCommand)
export class PurgeAuditLogHandler implements ICommandHandler<PurgeAuditLogCommand> {
  private readonly logger = new Logger('AuditRetention');

  constructor(
    private readonly orm: MikroORM,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async execute({ actor, scope, dryRun, batchSize }: PurgeAuditLogCommand): Promise<PurgedAuditLog> {
    const days = this.config.env.AUDIT_RETENTION_DAYS;
    const result: PurgedAuditLog = {
      enabled: days > 0,
      cutoff: null,
      chains: 0,
      purges: 0,
      events: 0,
      checkpoints: 0,
      held: [],
      broken: [],
    };
    if (days === 0) return result;
    const cutoff = new Date(this.clock.now().getTime() - days * DAY_MS);
    for await (const chainKey of this.chains(scope, batchSize)) {
      result.chains++;
      if (dryRun) await this.plan(chainKey, cutoff, result);
      else await this.purge(chainKey, cutoff, batchSize, actor, result);
    }
    return result;
  }

  private async *chains(scope: PurgeScope, batchSize: number): AsyncGenerator<string> {
    if (scope.kind === 'chain') {
      yield scope.chainKey;
      return;
    }
    let after = '';
    for (;;) {
      const rows = await this.orm.em
        .fork()
        .execute<{ chain_key: string }[]>(
          'select chain_key from audit_chains where chain_key > ? order by chain_key limit ?',
          [after, batchSize],
        );
      for (const row of rows) yield row.chain_key;
      if (rows.length < batchSize) return;
      after = rows.at(-1)!.chain_key;
    }
  }

  private async plan(chainKey: string, cutoff: Date, result: PurgedAuditLog): Promise<void> {
    const bounds = await purgeBoundsOf(this.orm.em.fork(), chainKey, cutoff, null);
    result.cutoff = bounds.cutoff;
    result.events += bounds.throughSeq - bounds.horizonSeq;
    result.checkpoints += bounds.throughCheckpoint - bounds.horizonCheckpoint;
    if (bounds.heldBy) result.held.push({ chainKey, ...bounds.heldBy });
  }

  private async purge(
    chainKey: string,
    cutoff: Date,
    batchSize: number,
    actor: Actor,
    result: PurgedAuditLog,
  ): Promise<void> {
    let ceiling: number | undefined;
    for (;;) {
      const outcome = await this.uow.run(async (tx) => {
        const bounds = await purgeBoundsOf(tx.em, chainKey, cutoff, batchSize);
        // The newest event as of the run stays: the purge's own events must not make it go in the same run.
        ceiling ??= bounds.headSeq - 1;
        const throughSeq = Math.max(bounds.horizonSeq, Math.min(bounds.throughSeq, ceiling));
        return this.purgeBatch(tx, chainKey, { ...bounds, throughSeq }, cutoff, batchSize, actor);
      });
      if (outcome.kind === 'purged') {
        result.purges++;
        result.events += outcome.events;
        result.checkpoints += outcome.checkpoints;
        continue;
      }
      if (outcome.kind === 'broken') {
        result.broken.push({ chainKey, seq: outcome.seq, problem: outcome.problem });
        this.logger.error(
          `audit chain ${chainKey} is broken at seq ${outcome.seq} (${outcome.problem}): retention purges nothing ` +
            'of it until that is resolved; run audit verify',
        );
      } else {
        result.cutoff = outcome.bounds.cutoff;
        const held = outcome.bounds.heldBy;
        if (held) {
          result.held.push({ chainKey, ...held });
          this.logger.warn(`audit chain ${chainKey}: sink ${held.sinkId} holds retention at seq ${held.seq}`);
        }
      }
      return;
    }
  }

  private async purgeBatch(
    tx: Tx,
    chainKey: string,
    bounds: PurgeBounds,
    cutoff: Date,
    batchSize: number,
    actor: Actor,
  ): Promise<BatchOutcome> {
    if (bounds.throughSeq === bounds.horizonSeq && bounds.throughCheckpoint === bounds.horizonCheckpoint) {
      return { kind: 'done', bounds };
    }
    const broken = await brokenLink(tx.em, chainKey, bounds);
    if (broken) return { kind: 'broken', ...broken };
    const [row] = await tx.em.execute<PurgedRow[]>(
      `select number, (extract(epoch from cutoff) * 1000)::bigint as cutoff_ms, from_seq, through_seq, through_hash,
              checkpoints_from, checkpoints_through
         from audit_purge(?, ?, ?, ?)`,
      [chainKey, cutoff, bounds.throughSeq, batchSize],
    );
    // Another purge of the chain committed first and took this batch.
    if (!row) return { kind: 'done', bounds };
    const purge = Number(row.number);
    const fromSeq = row.from_seq === null ? null : Number(row.from_seq);
    const throughSeq = Number(row.through_seq);
    const checkpointsFrom = row.checkpoints_from === null ? null : Number(row.checkpoints_from);
    const checkpointsThrough = Number(row.checkpoints_through);
    await this.audit.record(tx, new AuditRetentionPurgedEvent(tenantOfChain(chainKey), purge), {
      actor,
      details: {
        purge,
        cutoff: new Date(Number(row.cutoff_ms)).toISOString(),
        retentionDays: this.config.env.AUDIT_RETENTION_DAYS,
        fromSeq,
        throughSeq,
        throughHash: row.through_hash,
        checkpointsFrom,
        checkpointsThrough,
      },
    });
    return {
      kind: 'purged',
      events: fromSeq === null ? 0 : throughSeq - fromSeq + 1,
      checkpoints: checkpointsFrom === null ? 0 : checkpointsThrough - checkpointsFrom + 1,
    };
  }
}

/**
 * The first broken link among the events the batch would delete, or null when each one carries the next seq,
 * points at the previous hash and hashes to its own: what is purged was intact.
 */
async function brokenLink(
  em: EntityManager,
  chainKey: string,
  bounds: PurgeBounds,
): Promise<{ seq: number; problem: string } | null> {
  if (bounds.throughSeq === bounds.horizonSeq) return null;
  const events = await TenantScope.acrossTenants('a chain is read whole, by its key', () =>
    em.find(
      AuditEvent,
      { chainKey, seq: { $gt: String(bounds.horizonSeq), $lte: String(bounds.throughSeq) } },
      { orderBy: { seq: 'asc' } },
    ),
  );
  em.clear();
  const walk = walkChain(startWalk({ seq: bounds.horizonSeq, hash: bounds.horizonHash }), events);
  if (isBroken(walk)) return { seq: walk.brokenAt, problem: walk.problem };
  if (walk.lastSeq !== bounds.throughSeq) return { seq: walk.lastSeq + 1, problem: 'seq_gap' };
  return null;
}

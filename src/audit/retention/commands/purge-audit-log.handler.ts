import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../../../common/actor.js';
import { AppConfig } from '../../../common/app-config.js';
import { Clock } from '../../../common/clock.js';
import { type Tx, UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { AuditLog } from '../../audit-log.js';
import { tenantOfChain } from '../../checkpoints/checkpoint-reader.js';
import { AuditRetentionPurgedEvent } from '../events/audit-retention-purged.event.js';
import { firstBrokenLink } from '../first-broken-link.js';
import { type PurgeBounds, purgeBoundsOf } from '../purge-bounds.js';
import { purgeOneBatch } from '../purge-one-batch.js';
import { heldBySink, type PurgedAuditLog, PurgeAuditLogCommand, type PurgeScope } from './purge-audit-log.command.js';

const DAY_MS = 24 * 3_600_000;

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
    if (!dryRun) this.warnHolders(result.held);
    return result;
  }

  /** One line per holding sink, not per chain: a paused platform sink holds every chain. */
  private warnHolders(held: PurgedAuditLog['held']): void {
    for (const [sinkId, chains] of heldBySink(held)) {
      const first = chains[0]!;
      this.logger.warn(
        `sink ${sinkId} holds retention on ${chains.length} chain${chains.length === 1 ? '' : 's'} ` +
          `(chain ${first.chainKey} at seq ${first.seq}): it has not received older events yet`,
      );
    }
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
        if (held) result.held.push({ chainKey, ...held });
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
    const from = { seq: bounds.horizonSeq, hash: bounds.horizonHash };
    const broken = await firstBrokenLink(tx.em, chainKey, from, bounds.throughSeq);
    if (broken) return { kind: 'broken', ...broken };
    const record = await purgeOneBatch(tx.em, chainKey, cutoff, bounds.throughSeq, batchSize);
    if (!record) return { kind: 'done', bounds };
    await this.audit.record(tx, new AuditRetentionPurgedEvent(tenantOfChain(chainKey), record.purge), {
      actor,
      details: { ...record, cutoff: record.cutoff.toISOString(), retentionDays: this.config.env.AUDIT_RETENTION_DAYS },
    });
    const { fromSeq, throughSeq, checkpointsFrom, checkpointsThrough } = record;
    return {
      kind: 'purged',
      events: fromSeq === null ? 0 : throughSeq - fromSeq + 1,
      checkpoints: checkpointsFrom === null ? 0 : checkpointsThrough - checkpointsFrom + 1,
    };
  }
}

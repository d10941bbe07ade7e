import type { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { DomainError } from '../../../common/errors/domain-error.js';
import { AuditLog } from '../../audit-log.js';
import { AuditSinkReplayedEvent } from '../audit-sink.events.js';
import { findSink, inSinkScope } from '../sink-scope.js';
import { StreamWake } from '../stream-wake.js';
import { ReplayAuditSinkCommand } from './audit-sink.commands.js';

const invalid = (field: string, message: string) =>
  new DomainError('validation_failed', 'The request is not valid', { errors: [{ field, message }] });

/**
 * Moves a sink's cursor back so delivery resends from a retained seq (or from the first event at or after
 * a time). A delivery running meanwhile loses its lease, so it cannot move the cursor forward again.
 */
@CommandHandler(ReplayAuditSinkCommand)
export class ReplayAuditSinkHandler implements ICommandHandler<ReplayAuditSinkCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly wake: StreamWake,
  ) {}

  async execute({ tenantId, sinkId, input, actor, meta }: ReplayAuditSinkCommand) {
    const replayed = await inSinkScope(tenantId, () =>
      this.uow.run(async (tx) => {
        await findSink(tx.em, tenantId, sinkId, true);
        const chain = tenantId ?? input.chain;
        if (!chain) throw invalid('chain', 'a platform sink replays one chain: give a tenant id or `platform`');
        if (tenantId !== null && input.chain !== undefined && input.chain !== tenantId) {
          throw invalid('chain', 'a tenant sink carries its own chain only');
        }
        // The cursor first: a retention purge holds it while it deletes, so the oldest retained seq read next
        // is the one after any purge that ran first, and a purge that runs after sees the cursor moved back.
        await tx.em.execute('select 1 from audit_sink_cursors where sink_id = ? and chain_key = ? for update', [
          sinkId,
          chain,
        ]);
        const fromSeq = await this.fromSeq(tx.em, chain, input);
        const moved = await tx.em.execute(
          `update audit_sink_cursors set delivered_seq = ?,
                  delivered_checkpoint = coalesce((select max(k.number) from audit_checkpoints k
                                                    where k.chain_key = ? and k.seq < ?), 0),
                  pinned_through_seq = null, one_by_one_through_seq = null,
                  parked_seq = null, parked_error = null, consecutive_failures = 0, failing_since = null,
                  next_attempt_at = null, lease_token = null, lease_until = null
            where sink_id = ? and chain_key = ? returning chain_key`,
          [fromSeq - 1, chain, fromSeq, sinkId, chain],
        );
        if (moved.length === 0) throw invalid('chain', 'this sink has no cursor on that chain');
        await this.audit.record(tx, new AuditSinkReplayedEvent(tenantId, sinkId), {
          actor,
          target: { type: 'audit_sink', id: sinkId },
          request: meta,
          details: { chainKey: chain, fromSeq, ...(input.fromTime && { fromTime: input.fromTime.toISOString() }) },
        });
        return { fromSeq, chain };
      }),
    );
    await this.wake.pairs([{ sinkId, chainKey: replayed.chain }]).catch(() => undefined);
    return replayed;
  }

  /** The first seq to resend: given, or the first at or after the time; it must still be retained. */
  private async fromSeq(
    em: EntityManager,
    chain: string,
    input: { fromSeq?: number | undefined; fromTime?: Date | undefined },
  ) {
    const [range] = await em.execute<{ first: string | null; last: string | null; at: string | null }[]>(
      `select min(seq) as first, max(seq) as last,
              (select min(seq) from audit_events where chain_key = ? and occurred_at >= ?::timestamptz) as at
         from audit_events where chain_key = ?`,
      // No time, no `at`: a comparison with null matches no row (a sentinel date beyond PostgreSQL's range failed).
      [chain, input.fromTime ?? null, chain],
    );
    const first = range?.first === null || range === undefined ? 1 : Number(range.first);
    const last = range?.last === null || range === undefined ? 0 : Number(range.last);
    if (input.fromSeq !== undefined) {
      if (input.fromSeq < first)
        throw invalid('fromSeq', `seq ${input.fromSeq} is no longer retained (the oldest is ${first})`);
      if (input.fromSeq > last + 1) throw invalid('fromSeq', `the chain ends at seq ${last}`);
      return input.fromSeq;
    }
    return range?.at === null || range === undefined ? last + 1 : Number(range.at);
  }
}

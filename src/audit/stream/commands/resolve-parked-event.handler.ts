import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { DomainError } from '../../../common/errors/domain-error.js';
import { AuditLog } from '../../audit-log.js';
import { AuditSinkEventSkippedEvent, AuditSinkParkedEventRetriedEvent } from '../audit-sink.events.js';
import { findSink, inSinkScope } from '../sink-scope.js';
import { StreamWake } from '../stream-wake.js';
import { ResolveParkedEventCommand } from './audit-sink.commands.js';

/**
 * An admin's answer to an event the receiver refused: `retry` sends it again (the receiver was fixed), `skip`
 * moves past it. The seq must be the parked one, so a stale page cannot skip an event nobody looked at.
 */
@CommandHandler(ResolveParkedEventCommand)
export class ResolveParkedEventHandler implements ICommandHandler<ResolveParkedEventCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly wake: StreamWake,
  ) {}

  async execute({ tenantId, sinkId, resolution, input, actor, meta }: ResolveParkedEventCommand) {
    const chain = tenantId ?? input.chain;
    if (!chain) {
      throw new DomainError('validation_failed', 'The request is not valid', {
        errors: [{ field: 'chain', message: 'a platform sink names the chain: a tenant id or `platform`' }],
      });
    }
    const sink = await inSinkScope(tenantId, () =>
      this.uow.run(async (tx) => {
        const sink = await findSink(tx.em, tenantId, sinkId, true);
        const [parked] = await tx.em.execute<{ parked_error: string }[]>(
          `update audit_sink_cursors
              set parked_seq = null, parked_error = null, consecutive_failures = 0, failing_since = null,
                  next_attempt_at = null, delivered_seq = case when ? then parked_seq else delivered_seq end
            where sink_id = ? and chain_key = ? and parked_seq = ?
        returning (select parked_error from audit_sink_cursors where sink_id = ? and chain_key = ?) as parked_error`,
          [resolution === 'skip', sinkId, chain, input.seq, sinkId, chain],
        );
        if (!parked) throw new DomainError('conflict', `Seq ${input.seq} is not the event this sink is parked at`);
        const event =
          resolution === 'skip'
            ? new AuditSinkEventSkippedEvent(tenantId, sinkId)
            : new AuditSinkParkedEventRetriedEvent(tenantId, sinkId);
        await this.audit.record(tx, event, {
          actor,
          target: { type: 'audit_sink', id: sinkId },
          request: meta,
          details: { chainKey: chain, seq: input.seq, receiverError: parked.parked_error },
        });
        return sink;
      }),
    );
    await this.wake.pairs([{ sinkId, chainKey: chain }]).catch(() => undefined);
    return sink;
  }
}

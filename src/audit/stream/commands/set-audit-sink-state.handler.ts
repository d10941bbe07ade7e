import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { AuditLog } from '../../audit-log.js';
import { AuditSinkPausedEvent, AuditSinkResumedEvent } from '../audit-sink.events.js';
import { findSink, inSinkScope } from '../sink-scope.js';
import { StreamWake } from '../stream-wake.js';
import { SetAuditSinkStateCommand } from './audit-sink.commands.js';

/**
 * Pause and resume. Resuming also brings back a sink delivery paused or disabled, and starts its retries
 * afresh: the admin says the receiver is ready. A no-op (pausing a paused sink) changes and audits nothing.
 */
@CommandHandler(SetAuditSinkStateCommand)
export class SetAuditSinkStateHandler implements ICommandHandler<SetAuditSinkStateCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly wake: StreamWake,
    private readonly clock: Clock,
  ) {}

  async execute({ tenantId, sinkId, to, actor, meta }: SetAuditSinkStateCommand) {
    const sink = await inSinkScope(tenantId, () =>
      this.uow.run(async (tx) => {
        const sink = await findSink(tx.em, tenantId, sinkId, true);
        if (sink.state === to) return sink;
        const before = sink.state;
        Object.assign(sink, {
          state: to,
          stateReason: to === 'paused' ? 'paused by an admin' : null,
          updatedAt: this.clock.now(),
        });
        if (to === 'active') {
          await tx.em.execute(
            `update audit_sink_cursors set consecutive_failures = 0, failing_since = null, next_attempt_at = null
              where sink_id = ?`,
            [sinkId],
          );
        }
        const event =
          to === 'paused' ? new AuditSinkPausedEvent(tenantId, sinkId) : new AuditSinkResumedEvent(tenantId, sinkId);
        await this.audit.record(tx, event, {
          actor,
          target: { type: 'audit_sink', id: sinkId },
          request: meta,
          details: { before, by: 'admin' },
        });
        return sink;
      }),
    );
    if (to === 'active') await this.wake.sink(sinkId).catch(() => undefined);
    return sink;
  }
}

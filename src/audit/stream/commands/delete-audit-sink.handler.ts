import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { AuditLog } from '../../audit-log.js';
import { AuditSinkDeletedEvent } from '../audit-sink.events.js';
import { findSink, inSinkScope } from '../sink-scope.js';
import { DeleteAuditSinkCommand } from './audit-sink.commands.js';
import { sinkDescription } from './sink-description.js';

/** Removes a sink and its cursors; the events stay in the log, and retention no longer waits for this sink. */
@CommandHandler(DeleteAuditSinkCommand)
export class DeleteAuditSinkHandler implements ICommandHandler<DeleteAuditSinkCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
  ) {}

  async execute({ tenantId, sinkId, actor, meta }: DeleteAuditSinkCommand): Promise<void> {
    await inSinkScope(tenantId, () =>
      this.uow.run(async (tx) => {
        const sink = await findSink(tx.em, tenantId, sinkId, true);
        const description = sinkDescription(sink);
        tx.em.remove(sink);
        await tx.em.flush();
        await this.audit.record(tx, new AuditSinkDeletedEvent(tenantId, sinkId), {
          actor,
          target: { type: 'audit_sink', id: sinkId },
          request: meta,
          details: description,
        });
      }),
    );
  }
}

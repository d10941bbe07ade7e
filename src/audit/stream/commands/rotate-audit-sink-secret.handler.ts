import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { DomainError } from '../../../common/errors/domain-error.js';
import { AuditLog } from '../../audit-log.js';
import { AuditSinkSecretRotatedEvent } from '../audit-sink.events.js';
import { findSink, inSinkScope } from '../sink-scope.js';
import { SinkSecrets } from '../sink-secrets.js';
import { generateWebhookSecret } from '../transports/webhook-signature.js';
import { RotateAuditSinkSecretCommand } from './audit-sink.commands.js';

/**
 * A new webhook signing secret, shown once. The old one keeps signing beside it for the overlap (each
 * request then carries both signatures), so the receiver can switch to the new one without a gap.
 */
@CommandHandler(RotateAuditSinkSecretCommand)
export class RotateAuditSinkSecretHandler implements ICommandHandler<RotateAuditSinkSecretCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly secrets: SinkSecrets,
    private readonly clock: Clock,
  ) {}

  execute({ tenantId, sinkId, overlapHours, actor, meta }: RotateAuditSinkSecretCommand) {
    return inSinkScope(tenantId, () =>
      this.uow.run(async (tx) => {
        const sink = await findSink(tx.em, tenantId, sinkId, true);
        if (sink.kind !== 'webhook')
          throw new DomainError('conflict', 'Only a webhook sink has a signing secret to rotate');
        const now = this.clock.now();
        const retiresAt = new Date(now.getTime() + overlapHours * 3_600_000);
        const secret = generateWebhookSecret();
        const stillSigning = sink.secrets
          .filter((s) => s.retiresAt === null || new Date(s.retiresAt) > now)
          .map((s) => (s.retiresAt === null ? { ...s, retiresAt: retiresAt.toISOString() } : s));
        sink.secrets = [this.secrets.seal(sink, secret), ...(overlapHours > 0 ? stillSigning : [])];
        sink.updatedAt = now;
        await this.audit.record(tx, new AuditSinkSecretRotatedEvent(tenantId, sinkId), {
          actor,
          target: { type: 'audit_sink', id: sinkId },
          request: meta,
          details: { overlapHours, previousRetiresAt: overlapHours > 0 ? retiresAt.toISOString() : now.toISOString() },
        });
        return { sink, secret };
      }),
    );
  }
}

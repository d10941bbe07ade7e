import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { AuditLog } from '../../audit-log.js';
import { AuditSink } from '../audit-sink.entity.js';
import { AuditSinkCreatedEvent } from '../audit-sink.events.js';
import { SinkCursors } from '../sink-cursors.js';
import { SinkEgress } from '../sink-egress.js';
import { inSinkScope } from '../sink-scope.js';
import { SinkSecrets } from '../sink-secrets.js';
import type { SinkSettings } from '../sink-settings.js';
import { StreamWake } from '../stream-wake.js';
import { generateWebhookSecret } from '../transports/webhook-signature.js';
import { CreateAuditSinkCommand, type SinkWithSecret } from './audit-sink.commands.js';
import { sinkDescription } from './sink-description.js';

@CommandHandler(CreateAuditSinkCommand)
export class CreateAuditSinkHandler implements ICommandHandler<CreateAuditSinkCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly cursors: SinkCursors,
    private readonly secrets: SinkSecrets,
    private readonly egress: SinkEgress,
    private readonly wake: StreamWake,
    private readonly clock: Clock,
  ) {}

  async execute({ tenantId, input, actor, meta }: CreateAuditSinkCommand): Promise<SinkWithSecret> {
    const { kind, name, format, batchSize, startAt, ...rest } = input;
    const { token, clientKey, ...settings } = rest as typeof rest & { token?: string; clientKey?: string };
    await this.egress.assertAllowed(kind, settings as SinkSettings);
    const now = this.clock.now();
    const created = await inSinkScope(tenantId, () =>
      this.uow.run(async (tx) => {
        const sink = Object.assign(new AuditSink(), {
          id: randomUUID(),
          tenantId,
          name,
          kind,
          format,
          settings,
          secrets: [] as AuditSink['secrets'],
          batchSize,
          state: 'active',
          stateReason: null,
          createdAt: now,
          updatedAt: now,
        } satisfies Partial<AuditSink>);
        const secret = kind === 'webhook' ? generateWebhookSecret() : null;
        const sealed = secret ?? token ?? clientKey;
        if (sealed !== undefined) sink.secrets = [this.secrets.seal(sink, sealed)];
        tx.em.persist(sink);
        await tx.em.flush();
        await this.cursors.open(tx.em, sink.id, tenantId, startAt === 'beginning');
        await this.audit.record(tx, new AuditSinkCreatedEvent(tenantId, sink.id), {
          actor,
          target: { type: 'audit_sink', id: sink.id },
          request: meta,
          details: { ...sinkDescription(sink), startAt },
        });
        return { sink, secret };
      }),
    );
    await this.wake.sink(created.sink.id).catch(() => undefined);
    return created;
  }
}

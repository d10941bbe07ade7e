import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { DomainError } from '../../../common/errors/domain-error.js';
import { AuditLog } from '../../audit-log.js';
import { AuditSinkUpdatedEvent } from '../audit-sink.events.js';
import { SinkEgress } from '../sink-egress.js';
import { findSink, inSinkScope } from '../sink-scope.js';
import { SinkSecrets } from '../sink-secrets.js';
import { FORMATS_OF, SETTINGS_OF, type SinkSettings } from '../sink-settings.js';
import { StreamWake } from '../stream-wake.js';
import { UpdateAuditSinkCommand } from './audit-sink.commands.js';
import { sinkDescription } from './sink-description.js';

@CommandHandler(UpdateAuditSinkCommand)
export class UpdateAuditSinkHandler implements ICommandHandler<UpdateAuditSinkCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly secrets: SinkSecrets,
    private readonly egress: SinkEgress,
    private readonly wake: StreamWake,
    private readonly clock: Clock,
  ) {}

  async execute({ tenantId, sinkId, input, actor, meta }: UpdateAuditSinkCommand) {
    const { name, format, batchSize, token, clientKey, ...settingsPatch } = input;
    const updated = await inSinkScope(tenantId, () =>
      this.uow.run(async (tx) => {
        const sink = await findSink(tx.em, tenantId, sinkId, true);
        const merged = withoutNulls({ ...sink.settings, ...settingsPatch });
        const settings = SETTINGS_OF[sink.kind].safeParse(merged);
        if (!settings.success) {
          throw new DomainError('validation_failed', `These fields do not fit a ${sink.kind} sink`, {
            errors: settings.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
          });
        }
        const nextFormat = format ?? sink.format;
        if (!FORMATS_OF[sink.kind].includes(nextFormat)) {
          throw new DomainError('validation_failed', 'The request is not valid', {
            errors: [{ field: 'format', message: `a ${sink.kind} sink carries ${FORMATS_OF[sink.kind].join(', ')}` }],
          });
        }
        const secretFor = sink.kind === 'splunk_hec' ? token : sink.kind === 'syslog' ? clientKey : undefined;
        if (
          (token !== undefined && sink.kind !== 'splunk_hec') ||
          (clientKey !== undefined && sink.kind !== 'syslog')
        ) {
          throw new DomainError('validation_failed', 'The request is not valid', {
            errors: [
              { field: token !== undefined ? 'token' : 'clientKey', message: `a ${sink.kind} sink has no such secret` },
            ],
          });
        }
        await this.egress.assertAllowed(sink.kind, settings.data as SinkSettings);
        const before = sinkDescription(sink);
        Object.assign(sink, {
          name: name ?? sink.name,
          format: nextFormat,
          batchSize: batchSize ?? sink.batchSize,
          settings: settings.data,
          updatedAt: this.clock.now(),
        });
        if (secretFor !== undefined) sink.secrets = secretFor === null ? [] : [this.secrets.seal(sink, secretFor)];
        await this.audit.record(tx, new AuditSinkUpdatedEvent(tenantId, sinkId), {
          actor,
          target: { type: 'audit_sink', id: sinkId },
          request: meta,
          details: { before, after: sinkDescription(sink), fields: Object.keys(input).sort() },
        });
        return sink;
      }),
    );
    await this.wake.sink(sinkId).catch(() => undefined);
    return updated;
  }
}

/** A PATCH field set to null removes an optional setting. */
function withoutNulls(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== null && v !== undefined));
}

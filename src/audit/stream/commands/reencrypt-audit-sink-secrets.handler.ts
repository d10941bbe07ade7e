import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { SecretBox } from '../../../common/crypto/secret-box.js';
import { TenantScope } from '../../../common/tenant-scope.js';
import { AuditLog, PLATFORM_CHAIN } from '../../audit-log.js';
import { AuditSink } from '../audit-sink.entity.js';
import { AuditSinkSecretsReencryptedEvent } from '../audit-sink.events.js';
import { SinkSecrets } from '../sink-secrets.js';
import { ReencryptAuditSinkSecretsCommand, type ReencryptedSinkBatch } from './reencrypt-audit-sink-secrets.command.js';

@CommandHandler(ReencryptAuditSinkSecretsCommand)
export class ReencryptAuditSinkSecretsHandler implements ICommandHandler<ReencryptAuditSinkSecretsCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly secrets: SinkSecrets,
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  execute(command: ReencryptAuditSinkSecretsCommand): Promise<ReencryptedSinkBatch> {
    return TenantScope.acrossTenants("key rotation re-seals every tenant's and the platform's sink secrets", () =>
      this.reencrypt(command),
    );
  }

  private reencrypt({ afterId, batchSize, actor }: ReencryptAuditSinkSecretsCommand): Promise<ReencryptedSinkBatch> {
    const keyId = this.box.currentKeyId;
    const now = this.clock.now();
    return this.uow.run(async (tx) => {
      const locked = await tx.em.execute<{ id: string }[]>(
        `select id from audit_sinks
          where (?::uuid is null or id > ?::uuid)
            and exists (select 1 from jsonb_array_elements(secrets) s where s->>'keyId' <> ?)
          order by id limit ? for update`,
        [afterId, afterId, keyId, batchSize],
      );
      if (locked.length === 0) return { sinks: 0, secrets: 0, lastId: null };
      const sinks = await tx.em.find(AuditSink, { id: { $in: locked.map((r) => r.id) } }, { orderBy: { id: 'asc' } });
      const changes = sinks.map((sink) => ({ sink, ...this.secrets.resealUnderNewestKey(sink, now) }));
      await tx.em.flush();
      // Each chain records the change to its sinks in the same transaction (invariant 1); in chain order,
      // so two runs appending to several chains cannot deadlock each other.
      const orderOf = ({ sink }: { sink: AuditSink }) => `${sink.tenantId ?? PLATFORM_CHAIN}/${sink.id}`;
      changes.sort((a, b) => (orderOf(a) < orderOf(b) ? -1 : 1));
      for (const { sink, resealed, fromKeyIds, dropped } of changes) {
        await this.audit.record(tx, new AuditSinkSecretsReencryptedEvent(sink.tenantId, sink.id), {
          actor,
          target: { type: 'audit_sink', id: sink.id },
          details: { keyId, fromKeyIds, secrets: resealed, droppedRetired: dropped },
        });
      }
      return {
        sinks: sinks.length,
        secrets: changes.reduce((sum, c) => sum + c.resealed, 0),
        lastId: locked.at(-1)!.id,
      };
    });
  }
}

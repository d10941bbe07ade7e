import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/index.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { EncryptionKeysRotatedEvent } from '../events/factor.events.js';
import { Factor } from '../factor.entity.js';
import { FactorSecrets } from '../factor-secrets.js';
import { type ReencryptedBatch, ReencryptFactorSecretsCommand } from './reencrypt-factor-secrets.command.js';

@CommandHandler(ReencryptFactorSecretsCommand)
export class ReencryptFactorSecretsHandler implements ICommandHandler<ReencryptFactorSecretsCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly secrets: FactorSecrets,
  ) {}

  execute(command: ReencryptFactorSecretsCommand): Promise<ReencryptedBatch> {
    return TenantScope.acrossTenants("key rotation re-encrypts every tenant's factor secrets", () =>
      this.reencrypt(command),
    );
  }

  private reencrypt({ afterId, batchSize, actor }: ReencryptFactorSecretsCommand): Promise<ReencryptedBatch> {
    const keyId = this.secrets.currentKeyId;
    return this.uow.run(async (tx) => {
      const batch = await tx.em.getRepository(Factor).lockSealedUnderOtherKeys(keyId, afterId, batchSize);
      const perTenant = new Map<string, { factors: number; fromKeyIds: Set<string> }>();
      for (const factor of batch) {
        const tenant = perTenant.get(factor.tenantId) ?? { factors: 0, fromKeyIds: new Set<string>() };
        perTenant.set(factor.tenantId, tenant);
        tenant.factors++;
        tenant.fromKeyIds.add(factor.secretKeyId!);
        const secret = this.secrets.open(factor);
        this.secrets.seal(factor, secret);
        secret.fill(0);
      }
      await tx.em.flush();
      // Each tenant's chain records the change to its rows in the same transaction (invariant 1); in
      // tenant-id order, so two runs appending to several chains cannot deadlock each other.
      const tenantIds = [...perTenant.keys()].sort();
      for (const tenantId of tenantIds) {
        const { factors, fromKeyIds } = perTenant.get(tenantId)!;
        await this.audit.record(tx, new EncryptionKeysRotatedEvent(tenantId, keyId, factors), {
          actor,
          details: { keyId, fromKeyIds: [...fromKeyIds].sort(), factors },
        });
      }
      return { reencrypted: batch.length, lastId: batch.at(-1)?.id ?? null, tenantIds };
    });
  }
}

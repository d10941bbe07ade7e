import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { PasswordHasher } from '../../common/crypto/password-hasher.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { onUniqueViolation } from '../../common/errors/unique-violation.js';
import { TenantCreatedEvent } from '../events/identity.events.js';
import { tenantSlugTaken } from '../identity.errors.js';
import { Tenant } from '../tenant.entity.js';
import { UserAccounts } from '../user-accounts.js';
import { CreateTenantCommand } from './create-tenant.command.js';

@CommandHandler(CreateTenantCommand)
export class CreateTenantHandler implements ICommandHandler<CreateTenantCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly accounts: UserAccounts,
  ) {}

  async execute({ input, actor, request }: CreateTenantCommand) {
    const attempt = { tenantId: null, action: TenantCreatedEvent.type, actor, request, details: { slug: input.slug } };
    return this.attempts.run(attempt, async () => {
      const passwordHash = await this.hasher.hash(input.admin.password);
      return onUniqueViolation(
        () =>
          this.uow.run(async (tx) => {
            if (await tx.em.count(Tenant, { slug: input.slug })) throw tenantSlugTaken(input.slug);
            const tenant = new Tenant(input.slug, input.name, this.clock.now());
            tx.em.persist(tenant);
            await tx.em.flush();
            await this.audit.record(tx, new TenantCreatedEvent(tenant.id, tenant.slug), {
              actor,
              target: { type: 'tenant', id: tenant.id },
              request,
              details: { slug: tenant.slug, name: tenant.name },
            });
            // The first tenant data: from here on the work is the new tenant's.
            const admin = await TenantScope.run(tenant.id, () =>
              this.accounts.create(tx, {
                tenantId: tenant.id,
                email: input.admin.email,
                roles: ['admin'],
                passwordHash,
                actor,
                request,
              }),
            );
            return { tenant, admin };
          }),
        () => tenantSlugTaken(input.slug),
      );
    });
  }
}

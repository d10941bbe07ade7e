import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../audit/index.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError, notFound } from '../../common/errors/domain-error.js';
import { FactorRenamedEvent } from '../events/factor-renamed.event.js';
import { Factor } from '../factor.entity.js';
import { factorLabelSchema } from '../dto/factors.schemas.js';
import { RenameFactorCommand, type RenamedFactor } from './rename-factor.command.js';

@CommandHandler(RenameFactorCommand)
export class RenameFactorHandler implements ICommandHandler<RenameFactorCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
  ) {}

  async execute({
    tenantId,
    userId,
    factorId,
    label,
    actor,
    request,
  }: RenameFactorCommand): Promise<{ factor: RenamedFactor }> {
    const parsed = factorLabelSchema.safeParse(label);
    if (!parsed.success) throw new DomainError('validation_failed', 'A label is 1 to 64 characters');
    const target = { type: 'factor', id: factorId };
    const attempt = { tenantId, action: FactorRenamedEvent.type, actor, target, request };
    return this.attempts.run(attempt, () =>
      this.uow.run(async (tx) => {
        // Another user's (or tenant's) factor is simply not found (invariant 5).
        const factor = await tx.em.getRepository(Factor).findForUser(tenantId, userId, factorId);
        if (!factor) throw notFound('Factor');
        const previous = factor.label;
        factor.label = parsed.data;
        await tx.em.flush();
        await this.audit.record(tx, new FactorRenamedEvent(tenantId, userId, factor.id), {
          actor,
          target,
          request,
          details: { factorType: factor.type, oldLabel: previous, newLabel: factor.label },
        });
        return { factor: { id: factor.id, type: factor.type, label: factor.label } };
      }),
    );
  }
}

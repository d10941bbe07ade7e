import { LockMode } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../../audit/index.js';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { notFound } from '../../../common/errors/domain-error.js';
import { RegisteredApp } from '../app.entity.js';
import { AppRemovedEvent } from '../app.events.js';
import { RemoveAppCommand } from './remove-app.command.js';

@CommandHandler(RemoveAppCommand)
export class RemoveAppHandler implements ICommandHandler<RemoveAppCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
  ) {}

  async execute({ tenantId, appId, actor, request }: RemoveAppCommand): Promise<void> {
    const target = { type: 'app', id: appId };
    await this.attempts.run({ tenantId, action: AppRemovedEvent.type, actor, target, request }, () =>
      this.uow.run(async (tx) => {
        const app = await tx.em.findOne(
          RegisteredApp,
          { tenantId, id: appId, revokedAt: null },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (!app) throw notFound('App');
        app.revokedAt = this.clock.now();
        await tx.em.flush();
        await this.audit.record(tx, new AppRemovedEvent(tenantId, appId, actor), {
          actor,
          target,
          request,
          details: { name: app.name, kind: app.kind },
        });
      }),
    );
  }
}

import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../../audit/index.js';
import type { Actor, RequestMeta } from '../../../common/actor.js';
import { ReauthGate } from '../../reauth-gate.js';
import { Clock } from '../../../common/clock.js';
import { hashToken, newOpaqueToken } from '../../../common/crypto/tokens.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { RegisteredApp } from '../app.entity.js';
import { AppRegisteredEvent } from '../app.events.js';
import { APP_KEY_PREFIX } from '../app-keys.js';
import { RegisterAppCommand } from './register-app.command.js';

@CommandHandler(RegisterAppCommand)
export class RegisterAppHandler implements ICommandHandler<RegisterAppCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly reauth: ReauthGate,
  ) {}

  execute({ tenantId, input, actor, request, session }: RegisterAppCommand) {
    const attempt = { tenantId, action: AppRegisteredEvent.type, actor, request, details: { name: input.name } };
    return this.attempts.run(attempt, async () => {
      await this.reauth.assertCallerRecent(tenantId, actor, session, this.clock.now());
      return this.register(tenantId, input, actor, request);
    });
  }

  private register(tenantId: string, input: RegisterAppCommand['input'], actor: Actor, request: RequestMeta) {
    const key = newOpaqueToken(APP_KEY_PREFIX);
    return this.uow.run(async (tx) => {
      const app = new RegisteredApp({
        tenantId,
        name: input.name,
        kind: input.kind,
        keyHash: hashToken(key),
        createdBy: actor.type === 'user' ? actor.id : null,
        now: this.clock.now(),
      });
      tx.em.persist(app);
      await tx.em.flush();
      await this.audit.record(tx, new AppRegisteredEvent(tenantId, app.id, app.kind), {
        actor,
        target: { type: 'app', id: app.id },
        request,
        details: { name: app.name, kind: app.kind },
      });
      return { app, key };
    });
  }
}

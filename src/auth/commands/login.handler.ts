import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { AuditLog } from '../../audit/audit-log.js';
import type { RequestMeta } from '../../common/actor.js';
import { PasswordHasher } from '../../common/crypto/password-hasher.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { Tenant } from '../../identity/tenant.entity.js';
import { User } from '../../identity/user.entity.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { LoginFailedEvent, type LoginFailureReason, LoginSucceededEvent } from '../events/login.events.js';
import { LoginThrottle } from '../login-throttle.js';
import { LoginCommand, type LoginResult } from './login.command.js';

const invalidCredentials = () => new DomainError('invalid_credentials', 'The e-mail or password is not correct');

@CommandHandler(LoginCommand)
export class LoginHandler implements ICommandHandler<LoginCommand> {
  constructor(
    private readonly orm: MikroORM,
    private readonly uow: UnitOfWork,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
    private readonly eventBus: EventBus,
  ) {}

  async execute({ input, request }: LoginCommand): Promise<LoginResult> {
    const em = this.orm.em.fork();
    const tenant = await em.findOne(Tenant, { slug: input.tenant.toLowerCase() });
    const user = tenant ? await em.getRepository(User).findByEmail(tenant.id, input.email) : null;
    try {
      await this.throttle.admit(input.tenant, input.email, request.ip);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'too_many_attempts') {
        await this.fail(tenant?.id ?? null, user?.id ?? null, 'rate_limited', input.email, request);
      }
      throw error;
    }
    // Unknown tenant, unknown user and wrong password cost the same argon2 work and give the same answer.
    const ok = user?.passwordHash
      ? await this.hasher.verify(user.passwordHash, input.password)
      : await this.hasher.burn(input.password);
    if (!tenant || !user || !ok) {
      const reason: LoginFailureReason = !tenant
        ? 'unknown_tenant'
        : !user
          ? 'unknown_user'
          : user.passwordHash
            ? 'wrong_password'
            : 'no_password';
      await this.throttle.recordFailure(input.tenant, input.email);
      await this.fail(tenant?.id ?? null, user?.id ?? null, reason, input.email, request);
      throw invalidCredentials();
    }
    await this.throttle.reset(input.tenant, input.email);
    const { session, token } = await this.uow.run(async (tx) => {
      const opened = await this.sessions.open(tx, { tenantId: tenant.id, userId: user.id, amr: ['pwd'], request });
      tx.publish(new LoginSucceededEvent(tenant.id, user.id, opened.session.id));
      return opened;
    });
    return { status: 'authenticated', token, session };
  }

  private async fail(
    tenantId: string | null,
    userId: string | null,
    reason: LoginFailureReason,
    email: string,
    request: RequestMeta,
  ): Promise<void> {
    await this.orm.em.fork().transactional((em) =>
      this.audit.append(em, {
        tenantId,
        action: LoginFailedEvent.type,
        outcome: 'failure',
        actor: userId ? { type: 'user', id: userId } : { type: 'anonymous', id: null },
        target: userId ? { type: 'user', id: userId } : null,
        request,
        details: { reason, email: email.trim().toLowerCase().slice(0, 254) },
      }),
    );
    this.eventBus.publish(new LoginFailedEvent(tenantId, userId, reason));
  }
}

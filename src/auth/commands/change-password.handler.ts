import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog, SecurityNotices } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { unauthorized } from '../../common/errors/domain-error.js';
import { PasswordHasher } from '../../common/crypto/password-hasher.js';
import { ReauthCheck } from '../../policy/index.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { Session, SessionsService } from '../../sessions/index.js';
import {
  PasswordChangedEvent,
  PasswordCheckThrottle,
  passwordReused,
  User,
  userNotFound,
  wrongCurrentPassword,
} from '../../identity/index.js';
import { ChangePasswordCommand } from './change-password.command.js';

@CommandHandler(ChangePasswordCommand)
export class ChangePasswordHandler implements ICommandHandler<ChangePasswordCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly sessions: SessionsService,
    private readonly passwordChecks: PasswordCheckThrottle,
    private readonly reauth: ReauthCheck,
    private readonly notices: SecurityNotices,
  ) {}

  async execute({ tenantId, userId, currentSessionId, input, request }: ChangePasswordCommand): Promise<void> {
    const actor = { type: 'user' as const, id: userId };
    const target = { type: 'user', id: userId };
    // Inside the audited attempt: a refusal by the limit is on the record like any other (code too_many_attempts).
    await this.attempts.run({ tenantId, action: PasswordChangedEvent.type, actor, target, request }, async () => {
      // Both checks, on purpose: the current password proves knowledge of it, the window proves the
      // session was itself confirmed lately (a factor, for MFA users), as API.md requires. The window
      // comes first: a stale session spends neither the password budget nor argon2.
      const session = await this.uow.reader().findOne(Session, { tenantId, userId, id: currentSessionId });
      if (!session) throw unauthorized();
      await this.reauth.assertRecent(tenantId, session, this.clock.now());
      // Reserved before argon2 runs, so parallel guesses with a stolen session cannot outrun the limit.
      await this.passwordChecks.reserve(userId);
      const user = await this.uow.reader().getRepository(User).findInTenant(tenantId, userId);
      if (!user) throw userNotFound();
      if (!user.passwordHash || !(await this.hasher.verify(user.passwordHash, input.currentPassword))) {
        throw wrongCurrentPassword();
      }
      await this.passwordChecks.reset(userId);
      if (input.currentPassword === input.newPassword) throw passwordReused();
      const newHash = await this.hasher.hash(input.newPassword);
      await this.uow.run(async (tx) => {
        const fresh = await tx.em.getRepository(User).findInTenant(tenantId, userId);
        if (!fresh) throw userNotFound();
        fresh.changePassword(newHash, this.clock.now());
        await tx.em.flush();
        const revoked = await this.sessions.revokeAllForUser(tx, {
          tenantId,
          userId,
          exceptSessionId: currentSessionId,
          reason: 'password_changed',
          actor,
          request,
        });
        const changed = await this.audit.record(tx, new PasswordChangedEvent(tenantId, userId, revoked), {
          actor,
          target,
          request,
          details: { sessionsRevoked: revoked },
        });
        await this.notices.tell(tx, changed, userId);
      });
    });
  }
}

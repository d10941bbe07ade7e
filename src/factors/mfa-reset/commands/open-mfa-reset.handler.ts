import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../../audit/index.js';
import { PasswordCheckThrottle, UsersDirectory } from '../../../identity/index.js';
import { Clock } from '../../../common/clock.js';
import { PasswordHasher } from '../../../common/crypto/password-hasher.js';
import { hashToken } from '../../../common/crypto/tokens.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { DomainError } from '../../../common/errors/domain-error.js';
import { SessionsService } from '../../../sessions/index.js';
import { MfaReset } from '../mfa-reset.entity.js';
import { MfaResetLinkUsedEvent } from '../mfa-reset.events.js';
import { TenantScope } from '../../../common/tenant-scope.js';
import type { RequestMeta } from '../../../common/actor.js';
import { OpenMfaResetCommand } from './open-mfa-reset.command.js';

const linkExpired = () => new DomainError('challenge_expired', 'This reset link has expired or was used');
const wrongPassword = () => new DomainError('invalid_credentials', 'The password is not correct');

@CommandHandler(OpenMfaResetCommand)
export class OpenMfaResetHandler implements ICommandHandler<OpenMfaResetCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly hasher: PasswordHasher,
    private readonly passwordChecks: PasswordCheckThrottle,
    private readonly directory: UsersDirectory,
    private readonly sessions: SessionsService,
  ) {}

  async execute({ token, password, request }: OpenMfaResetCommand): Promise<{ token: string }> {
    const now = this.clock.now();
    // Found by the token's hash, before any tenant is known: the link names its tenant.
    const reset = await TenantScope.acrossTenants('an MFA reset link names its own tenant', () =>
      this.uow.reader().getRepository(MfaReset).findLiveByTokenHash(hashToken(token), now),
    );
    if (!reset) throw linkExpired();
    // What follows happens inside the link's tenant.
    return TenantScope.run(reset.tenantId, () => this.open(reset, password, request, now));
  }

  private open(reset: MfaReset, password: string, request: RequestMeta, now: Date): Promise<{ token: string }> {
    const { id: resetId, tenantId, userId } = reset;
    const actor = { type: 'user' as const, id: userId };
    const target = { type: 'user', id: userId };
    const attempt = { tenantId, action: MfaResetLinkUsedEvent.type, actor, target, request, details: { resetId } };
    return this.attempts.run(attempt, async () => {
      // The link alone is not enough: whoever reads the user's mail must also know their password.
      await this.passwordChecks.reserve(userId);
      const user = await this.directory.findUser(tenantId, userId);
      if (!user?.passwordHash || !(await this.hasher.verify(user.passwordHash, password))) throw wrongPassword();
      await this.passwordChecks.reset(userId);
      return this.uow.run(async (tx) => {
        // Single use, even when the link is opened twice at once: one conditional UPDATE wins.
        if (!(await tx.em.getRepository(MfaReset).markUsed(reset, now))) throw linkExpired();
        const opened = await this.sessions.open(tx, {
          tenantId,
          userId,
          amr: ['pwd'],
          request,
          enrollmentOnly: true,
          mfaResetId: resetId,
        });
        await this.audit.record(tx, new MfaResetLinkUsedEvent(tenantId, userId, resetId, opened.session.id), {
          actor,
          target,
          request,
          details: { resetId, sessionId: opened.session.id },
        });
        return { token: opened.token };
      });
    });
  }
}

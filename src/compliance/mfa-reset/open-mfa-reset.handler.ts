import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../audit/index.js';
import { PasswordCheckThrottle, UsersDirectory } from '../../identity/index.js';
import { Clock } from '../../common/clock.js';
import { PasswordHasher } from '../../common/crypto/password-hasher.js';
import { hashToken } from '../../common/crypto/tokens.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { TenantScope } from '../../common/tenant-scope.js';
import type { RequestMeta } from '../../common/actor.js';
import { SessionsService } from '../../sessions/index.js';
import { MfaResetLinkUsedEvent } from './mfa-reset.events.js';
import { OpenMfaResetCommand } from './open-mfa-reset.command.js';

type FoundReset = { id: string; tenant_id: string; user_id: string };

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
    // Looked up by the token's hash (an index, no comparison over candidates): unknown tokens learn nothing.
    const [reset] = await this.uow.reader().execute<FoundReset[]>(
      `select id, tenant_id, user_id from mfa_resets
        where token_hash = ? and used_at is null and expires_at > ?`,
      [hashToken(token), now],
    );
    if (!reset) throw linkExpired();
    // The link names its tenant: what follows happens inside it.
    return TenantScope.run(reset.tenant_id, () => this.open(reset, password, request, now));
  }

  private open(reset: FoundReset, password: string, request: RequestMeta, now: Date): Promise<{ token: string }> {
    const { id: resetId, tenant_id: tenantId, user_id: userId } = reset;
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
        const used = await tx.em.execute<{ id: string }[]>(
          'update mfa_resets set used_at = ? where id = ? and used_at is null and expires_at > ? returning id',
          [now, resetId, now],
        );
        if (used.length !== 1) throw linkExpired();
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

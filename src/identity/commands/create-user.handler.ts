import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { PasswordHasher } from '../../common/crypto/password-hasher.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { onUniqueViolation } from '../../common/errors/unique-violation.js';
import { UserCreatedEvent } from '../events/identity.events.js';
import { emailTaken } from '../identity.errors.js';
import { privilegedRolesGranted } from '../privileged-roles.js';
import { ReauthGate } from '../reauth-gate.js';
import { UserAccounts } from '../user-accounts.js';
import { CreateUserCommand } from './create-user.command.js';

@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly hasher: PasswordHasher,
    private readonly attempts: AuditedAttempt,
    private readonly accounts: UserAccounts,
    private readonly reauth: ReauthGate,
    private readonly clock: Clock,
  ) {}

  async execute({ tenantId, input, actor, request, session }: CreateUserCommand) {
    const attempt = { tenantId, action: UserCreatedEvent.type, actor, request, details: { email: input.email } };
    return this.attempts.run(attempt, async () => {
      if (privilegedRolesGranted([], input.roles).length) {
        await this.reauth.assertCallerRecent(tenantId, actor, session, this.clock.now());
      }
      const passwordHash = input.password ? await this.hasher.hash(input.password) : null;
      return onUniqueViolation(
        () => this.uow.run((tx) => this.accounts.create(tx, { tenantId, ...input, passwordHash, actor, request })),
        emailTaken,
      );
    });
  }
}

import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt } from '../../audit/audited.js';
import { PasswordHasher } from '../../common/crypto/password-hasher.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { onUniqueViolation } from '../../common/errors/unique-violation.js';
import { UserCreatedEvent } from '../events/identity.events.js';
import { emailTaken } from '../identity.errors.js';
import { UserAccounts } from '../user-accounts.js';
import { CreateUserCommand } from './create-user.command.js';

@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly hasher: PasswordHasher,
    private readonly attempts: AuditedAttempt,
    private readonly accounts: UserAccounts,
  ) {}

  async execute({ tenantId, input, actor, request }: CreateUserCommand) {
    const attempt = { tenantId, action: UserCreatedEvent.type, actor, request, details: { email: input.email } };
    return this.attempts.run(attempt, async () => {
      const passwordHash = input.password ? await this.hasher.hash(input.password) : null;
      return onUniqueViolation(
        () => this.uow.run((tx) => this.accounts.create(tx, { tenantId, ...input, passwordHash, actor, request })),
        emailTaken,
      );
    });
  }
}

import { CommandBus } from '@nestjs/cqrs';
import { NO_REQUEST } from '../../common/actor.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { newPassword } from '../../common/crypto/tokens.js';
import { CreateUserCommand, createUserSchema, slugSchema } from '../../identity/index.js';
import { CLI_ACTOR, type CliCommand, EXIT_OK } from '../cli-command.js';
import { tenantBySlug } from '../find-tenant.js';
import { listFlag, optionalFlag, requiredFlag, validInput } from '../flags.js';

export const userCreate: CliCommand = {
  words: ['user', 'create'],
  usage: '--tenant S --email E --roles admin,member [--password P]',
  summary: 'add a user to a tenant (without --password, a generated one is printed once)',
  options: {
    tenant: { type: 'string' },
    email: { type: 'string' },
    roles: { type: 'string' },
    password: { type: 'string' },
  },
  prepare(flags) {
    const slug = validInput(slugSchema, requiredFlag(flags, 'tenant'), { '': 'tenant' });
    const given = optionalFlag(flags, 'password');
    const generated = given === undefined ? newPassword() : undefined;
    const input = validInput(
      createUserSchema,
      { email: requiredFlag(flags, 'email'), roles: listFlag(flags, 'roles'), password: given ?? generated },
      {},
    );
    return async ({ app, out }) => {
      const context = await app();
      const tenant = await tenantBySlug(context, slug);
      const user = await TenantScope.run(tenant.id, () =>
        context.get(CommandBus).execute(new CreateUserCommand(tenant.id, input, CLI_ACTOR, NO_REQUEST, null)),
      );
      out(`user ${user.email} created in ${tenant.slug} with roles ${user.roles.join(',')} (id ${user.id})`);
      if (generated) out(`password (shown once): ${generated}`);
      return EXIT_OK;
    };
  },
};

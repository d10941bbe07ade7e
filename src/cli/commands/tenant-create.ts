import { CommandBus } from '@nestjs/cqrs';
import { NO_REQUEST } from '../../common/actor.js';
import { newPassword } from '../../common/crypto/tokens.js';
import { CreateTenantCommand, createTenantSchema } from '../../identity/index.js';
import { CLI_ACTOR, type CliCommand, EXIT_OK } from '../cli-command.js';
import { optionalFlag, requiredFlag, validInput } from '../flags.js';

export const tenantCreate: CliCommand = {
  words: ['tenant', 'create'],
  usage: '--slug S --name N --admin-email E [--admin-password P]',
  summary: 'create a tenant and its first admin (without --admin-password, a generated one is printed once)',
  options: {
    slug: { type: 'string' },
    name: { type: 'string' },
    'admin-email': { type: 'string' },
    'admin-password': { type: 'string' },
  },
  prepare(flags) {
    const given = optionalFlag(flags, 'admin-password');
    const generated = given === undefined ? newPassword() : undefined;
    const input = validInput(
      createTenantSchema,
      {
        slug: requiredFlag(flags, 'slug'),
        name: requiredFlag(flags, 'name'),
        admin: { email: requiredFlag(flags, 'admin-email'), password: given ?? generated },
      },
      { 'admin.email': 'admin-email', 'admin.password': 'admin-password' },
    );
    return async ({ app, out }) => {
      const commands = (await app()).get(CommandBus);
      const { tenant, admin } = await commands.execute(new CreateTenantCommand(input, CLI_ACTOR, NO_REQUEST));
      out(`tenant ${tenant.slug} created (id ${tenant.id})`);
      out(`admin ${admin.email} created (id ${admin.id})`);
      if (generated) out(`admin password (shown once): ${generated}`);
      return EXIT_OK;
    };
  },
};

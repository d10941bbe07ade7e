import { CommandBus } from '@nestjs/cqrs';
import { NO_REQUEST } from '../../common/actor.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { CreateApiKeyCommand, createApiKeySchema, slugSchema } from '../../identity/index.js';
import { API_KEY_SCOPES } from '../../common/access/roles.js';
import { CLI_ACTOR, type CliCommand, EXIT_OK } from '../cli-command.js';
import { tenantBySlug } from '../find-tenant.js';
import { listFlag, requiredFlag, validInput } from '../flags.js';

export const apiKeyCreate: CliCommand = {
  words: ['apikey', 'create'],
  usage: '--tenant S --name N --scopes audit:read,sessions:disconnect',
  summary: `create an integration's API key for a tenant, scopes among ${API_KEY_SCOPES.join(', ')} (the key is printed once)`,
  options: { tenant: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } },
  prepare(flags) {
    const slug = validInput(slugSchema, requiredFlag(flags, 'tenant'), { '': 'tenant' });
    const input = validInput(
      createApiKeySchema,
      { name: requiredFlag(flags, 'name'), scopes: listFlag(flags, 'scopes') },
      {},
    );
    return async ({ app, out }) => {
      const context = await app();
      const tenant = await tenantBySlug(context, slug);
      const { apiKey, key } = await TenantScope.run(tenant.id, () =>
        context.get(CommandBus).execute(new CreateApiKeyCommand(tenant.id, input, CLI_ACTOR, NO_REQUEST, null)),
      );
      out(
        `api key "${apiKey.name}" created in ${tenant.slug} with scopes ${apiKey.scopes.join(',')} (id ${apiKey.id})`,
      );
      out(`key (shown once): ${key}`);
      return EXIT_OK;
    };
  },
};

import { CommandBus } from '@nestjs/cqrs';
import { PLATFORM_CHAIN, TakeAuditCheckpointsCommand, type CheckpointScope } from '../../audit/index.js';
import { slugSchema } from '../../identity/index.js';
import { type CliCommand, EXIT_OK, UsageError } from '../cli-command.js';
import { tenantBySlug } from '../find-tenant.js';
import { optionalFlag, validInput } from '../flags.js';

export const auditCheckpoint: CliCommand = {
  words: ['audit', 'checkpoint'],
  usage: '[--tenant S | --platform]',
  summary: "sign a checkpoint of a tenant's (or the platform's) audit chain now; of every chain without a flag",
  options: { tenant: { type: 'string' }, platform: { type: 'boolean' } },
  prepare(flags) {
    const slug = optionalFlag(flags, 'tenant');
    if (slug !== undefined && flags.platform === true) throw new UsageError('give --tenant S or --platform, not both');
    const tenantSlug = slug === undefined ? undefined : validInput(slugSchema, slug, { '': 'tenant' });
    return async ({ app, out }) => {
      const context = await app();
      let scope: CheckpointScope = { kind: 'all' };
      if (tenantSlug !== undefined) scope = { kind: 'chain', chainKey: (await tenantBySlug(context, tenantSlug)).id };
      else if (flags.platform === true) scope = { kind: 'chain', chainKey: PLATFORM_CHAIN };
      const taken = await context.get(CommandBus).execute(new TakeAuditCheckpointsCommand(scope));
      if (scope.kind === 'all') {
        out(`signed ${taken.taken} checkpoint${taken.taken === 1 ? '' : 's'}, one per chain`);
      } else {
        const c = taken.last!;
        const label = tenantSlug === undefined ? 'the platform' : `tenant ${tenantSlug}`;
        out(`signed checkpoint #${c.number} of ${label}: seq ${c.seq}, head ${c.headHash}, key ${c.keyId}, ${c.time}`);
      }
      return EXIT_OK;
    };
  },
};

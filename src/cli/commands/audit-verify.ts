import { AuditVerifier, PLATFORM_CHAIN } from '../../audit/index.js';
import { slugSchema } from '../../identity/index.js';
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-command.js';
import { tenantBySlug } from '../find-tenant.js';
import { optionalFlag, validInput } from '../flags.js';

export const auditVerify: CliCommand = {
  words: ['audit', 'verify'],
  usage: '(--tenant S | --platform)',
  summary: "check a tenant's (or the platform's) audit hash chain; exit code 1 names the first broken seq",
  options: { tenant: { type: 'string' }, platform: { type: 'boolean' } },
  prepare(flags) {
    const slug = optionalFlag(flags, 'tenant');
    if ((slug === undefined) === (flags.platform !== true))
      throw new UsageError('give either --tenant S or --platform');
    const tenantSlug = slug === undefined ? undefined : validInput(slugSchema, slug, { '': 'tenant' });
    return async ({ app, out }) => {
      const context = await app();
      const chainKey = tenantSlug === undefined ? PLATFORM_CHAIN : (await tenantBySlug(context, tenantSlug)).id;
      const label = tenantSlug === undefined ? 'the platform' : `tenant ${tenantSlug}`;
      const verdict = await context.get(AuditVerifier).verify(chainKey);
      if (verdict.ok) {
        out(`OK: the audit chain of ${label} is intact (${events(verdict.checked)}, last seq ${verdict.lastSeq})`);
        return EXIT_OK;
      }
      out(
        `BROKEN: the audit chain of ${label} is broken at seq ${verdict.brokenAt}: ${verdict.problem}: ${verdict.detail}`,
      );
      out(`${events(verdict.checked)} before it verified`);
      return EXIT_FAILURE;
    };
  },
};

const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;

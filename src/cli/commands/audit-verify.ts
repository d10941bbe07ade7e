import { z } from 'zod';
import {
  type AuditCheckpointView,
  type AuditLogReport,
  AuditVerifier,
  cadenceMs,
  PLATFORM_CHAIN,
  type PurgeHorizon,
} from '../../audit/index.js';
import { slugSchema } from '../../identity/index.js';
import { type CliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-command.js';
import { tenantBySlug } from '../find-tenant.js';
import { optionalFlag, validInput } from '../flags.js';
import { loadCheckpoints } from '../load-checkpoint.js';

const toleranceSchema = z.coerce
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 60);

export const auditVerify: CliCommand = {
  words: ['audit', 'verify'],
  usage: '(--tenant S | --platform) [--checkpoint FILE|URL] [--tolerance-minutes N]',
  summary:
    "check a tenant's (or the platform's) audit hash chain, its signed checkpoints and their cadence, and the " +
    'newest checkpoint of FILE or URL (e.g. saved by a SIEM); exit code 1 names what is wrong',
  options: {
    tenant: { type: 'string' },
    platform: { type: 'boolean' },
    checkpoint: { type: 'string' },
    'tolerance-minutes': { type: 'string' },
  },
  prepare(flags) {
    const slug = optionalFlag(flags, 'tenant');
    if ((slug === undefined) === (flags.platform !== true))
      throw new UsageError('give either --tenant S or --platform');
    const tenantSlug = slug === undefined ? undefined : validInput(slugSchema, slug, { '': 'tenant' });
    const source = optionalFlag(flags, 'checkpoint');
    const tolerance = optionalFlag(flags, 'tolerance-minutes');
    const toleranceMinutes =
      tolerance === undefined ? undefined : validInput(toleranceSchema, tolerance, { '': 'tolerance-minutes' });
    return async ({ app, config, out }) => {
      const context = await app();
      const chainKey = tenantSlug === undefined ? PLATFORM_CHAIN : (await tenantBySlug(context, tenantSlug)).id;
      const label = tenantSlug === undefined ? 'the platform' : `tenant ${tenantSlug}`;
      const given = source === undefined ? undefined : newestOfChain(await loadCheckpoints(source), chainKey);
      // By default a gap of up to two intervals passes: one late run is not a missing heartbeat.
      const interval = config.env.AUDIT_CHECKPOINT_INTERVAL_MINUTES;
      const maxGapMs = cadenceMs(interval + (toleranceMinutes ?? interval));
      const report = await context.get(AuditVerifier).verifyWithCheckpoints(chainKey, {
        maxGapMs,
        expectEvents: tenantSlug !== undefined,
        given,
      });
      for (const line of describe(report, label, given)) out(line);
      return report.ok ? EXIT_OK : EXIT_FAILURE;
    };
  },
};

/** The newest checkpoint of the chain, or (none being of it) the newest at all, which is then reported. */
function newestOfChain(checkpoints: AuditCheckpointView[], chainKey: string): AuditCheckpointView {
  const tenantId = chainKey === PLATFORM_CHAIN ? null : chainKey;
  const ours = checkpoints.filter((c) => c.tenantId === tenantId);
  return (ours.length ? ours : checkpoints).reduce((a, b) => (b.number > a.number ? b : a));
}

function describe(report: AuditLogReport, label: string, given: AuditCheckpointView | undefined): string[] {
  const lines: string[] = [];
  const { chain, checkpoints, findings, omitted, purged } = report;
  if (purged) lines.push(purgedLine(purged));
  if (chain.ok) {
    lines.push(`OK: the audit chain of ${label} is intact (${events(chain.checked)}, last seq ${chain.lastSeq})`);
  } else {
    lines.push(
      `BROKEN: the audit chain of ${label} is broken at seq ${chain.brokenAt}: ${chain.problem}: ${chain.detail}`,
      `${events(chain.checked)} before it verified`,
    );
  }
  for (const f of findings) lines.push(`BROKEN: ${f.problem}: ${f.detail}`);
  if (omitted > 0) lines.push(`… and ${omitted} more problem${omitted === 1 ? '' : 's'} with later checkpoints`);
  if (findings.length === 0) {
    const { newest } = checkpoints;
    lines.push(
      newest
        ? `OK: ${checkpoints.count} signed checkpoint${checkpoints.count === 1 ? '' : 's'} on cadence, ` +
            `the newest #${newest.number} covering seq ${newest.seq} at ${newest.time}`
        : 'OK: no checkpoint yet, and the chain is younger than the cadence',
    );
    if (given) lines.push(`OK: the given checkpoint #${given.number} (seq ${given.seq}, ${given.time}) holds`);
  }
  return lines;
}

/** What retention took, so a shorter chain is not read as a cut one. */
function purgedLine(p: PurgeHorizon): string {
  const when =
    p.firstPurgedAt.getTime() === p.purgedAt.getTime()
      ? `on ${p.purgedAt.toISOString()}`
      : `between ${p.firstPurgedAt.toISOString()} and ${p.purgedAt.toISOString()}`;
  const checkpoints = p.checkpoint ? ` and checkpoints #1-#${p.checkpoint.number}` : '';
  return (
    `events 1-${p.throughSeq}${checkpoints} purged by retention ${when} (purge #${p.number}, cutoff ` +
    `${p.cutoff.toISOString()}): the walk starts at seq ${p.throughSeq + 1} from the hash of seq ${p.throughSeq}`
  );
}

const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;

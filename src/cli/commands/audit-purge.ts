import { CommandBus } from '@nestjs/cqrs';
import { heldBySink, PLATFORM_CHAIN, type PurgedAuditLog, PurgeAuditLogCommand } from '../../audit/index.js';
import { CLI_ACTOR, type CliCommand, EXIT_FAILURE, EXIT_OK } from '../cli-command.js';

export const auditPurge: CliCommand = {
  words: ['audit', 'purge'],
  usage: '[--dry-run]',
  summary:
    'delete the audit events and checkpoints older than AUDIT_RETENTION_DAYS that every sink not disabled has ' +
    'received (what the worker does on its schedule); --dry-run only says what would go',
  options: { 'dry-run': { type: 'boolean' } },
  prepare(flags) {
    const dryRun = flags['dry-run'] === true;
    return async ({ app, config, out }) => {
      const days = config.env.AUDIT_RETENTION_DAYS;
      const run = await (
        await app()
      )
        .get(CommandBus)
        .execute(new PurgeAuditLogCommand(CLI_ACTOR, { kind: 'all' }, dryRun));
      if (!run.enabled) {
        out('retention is off (AUDIT_RETENTION_DAYS is 0): the audit log is kept forever, nothing was purged');
        return EXIT_OK;
      }
      for (const line of describe(run, days, dryRun)) out(line);
      return run.broken.length > 0 ? EXIT_FAILURE : EXIT_OK;
    };
  },
};

function describe(run: PurgedAuditLog, days: number, dryRun: boolean): string[] {
  const what = `${count(run.events, 'event')} and ${count(run.checkpoints, 'checkpoint')}`;
  const older = `older than ${run.cutoff?.toISOString() ?? `${days} days`} (AUDIT_RETENTION_DAYS=${days})`;
  const lines = [
    dryRun
      ? `would purge ${what} ${older} from ${count(run.chains, 'chain')}`
      : `purged ${what} ${older} from ${count(run.chains, 'chain')}, in ${count(run.purges, 'purge')}`,
  ];
  for (const [sinkId, chains] of heldBySink(run.held)) {
    const shown = chains.slice(0, HELD_SHOWN).map((h) => `${chainName(h.chainKey)} at seq ${h.seq}`);
    const more = chains.length > HELD_SHOWN ? `, and ${count(chains.length - HELD_SHOWN, 'more chain')}` : '';
    lines.push(`held by sink ${sinkId}, which has not received the older events: ${shown.join(', ')}${more}`);
  }
  for (const broken of run.broken) {
    lines.push(
      `BROKEN: ${chainName(broken.chainKey)} at seq ${broken.seq} (${broken.problem}): nothing of it purged; run audit verify`,
    );
  }
  return lines;
}

/** Chains named per holding sink; a paused platform sink holds every chain. */
const HELD_SHOWN = 5;

const chainName = (chainKey: string) => (chainKey === PLATFORM_CHAIN ? 'the platform chain' : `tenant ${chainKey}`);
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

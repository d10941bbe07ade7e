import { CommandBus } from '@nestjs/cqrs';
import { z } from 'zod';
import { ReencryptAuditSinkSecretsCommand, type ReencryptedSinkBatch } from '../../audit/index.js';
import { type ReencryptedBatch, ReencryptFactorSecretsCommand } from '../../factors/index.js';
import { CLI_ACTOR, type CliCommand, EXIT_OK } from '../cli-command.js';
import { optionalFlag, validInput } from '../flags.js';

const batchSizeSchema = z.coerce.number().int().min(1).max(10_000);

export const keysRotate: CliCommand = {
  words: ['keys', 'rotate'],
  usage: '[--batch-size N]',
  summary:
    "re-encrypt every factor secret and every audit sink's secrets under the newest STEPGUARD_ENCRYPTION_KEYS " +
    'key, one transaction per batch (default 500); safe to interrupt and re-run',
  options: { 'batch-size': { type: 'string' } },
  prepare(flags) {
    const batchSize = validInput(batchSizeSchema, optionalFlag(flags, 'batch-size') ?? '500', { '': 'batch-size' });
    return async ({ app, config, out }) => {
      const commands = (await app()).get(CommandBus);
      const keyId = config.encryptionKeys.at(-1)!.id;
      const factors = await reencryptFactorSecrets(commands, batchSize, out);
      const sinks = await reencryptSinkSecrets(commands, batchSize, out);
      const done = [
        factors.secrets > 0 ? `${factors.secrets} factor secrets of ${factors.tenants} tenants` : '',
        sinks.sinks > 0 ? `${sinks.secrets} secrets of ${sinks.sinks} audit sinks` : '',
      ].filter(Boolean);
      if (done.length === 0) out(`nothing to re-encrypt: every factor and audit sink secret is under key ${keyId}`);
      else out(`done: re-encrypted ${done.join(' and ')} under key ${keyId}`);
      return EXIT_OK;
    };
  },
};

// Keyset batches, each committed on its own: an interrupted run keeps what it did, and the next run only
// finds the secrets still under an older key.

async function reencryptFactorSecrets(commands: CommandBus, batchSize: number, out: (line: string) => void) {
  const tenants = new Set<string>();
  let secrets = 0;
  let batches = 0;
  let after: string | null = null;
  for (;;) {
    const batch: ReencryptedBatch = await commands.execute(
      new ReencryptFactorSecretsCommand(after, batchSize, CLI_ACTOR),
    );
    if (batch.reencrypted === 0) return { secrets, tenants: tenants.size };
    batches++;
    secrets += batch.reencrypted;
    batch.tenantIds.forEach((id) => tenants.add(id));
    after = batch.lastId;
    out(`batch ${batches}: re-encrypted ${batch.reencrypted} factor secrets (${secrets} so far)`);
  }
}

async function reencryptSinkSecrets(commands: CommandBus, batchSize: number, out: (line: string) => void) {
  let sinks = 0;
  let secrets = 0;
  let batches = 0;
  let after: string | null = null;
  for (;;) {
    const batch: ReencryptedSinkBatch = await commands.execute(
      new ReencryptAuditSinkSecretsCommand(after, batchSize, CLI_ACTOR),
    );
    if (batch.sinks === 0) return { sinks, secrets };
    batches++;
    sinks += batch.sinks;
    secrets += batch.secrets;
    after = batch.lastId;
    out(
      `audit sinks batch ${batches}: re-encrypted ${batch.secrets} secrets of ${batch.sinks} sinks (${sinks} sinks so far)`,
    );
  }
}

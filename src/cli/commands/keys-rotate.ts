import { CommandBus } from '@nestjs/cqrs';
import { z } from 'zod';
import { type ReencryptedBatch, ReencryptFactorSecretsCommand } from '../../factors/index.js';
import { CLI_ACTOR, type CliCommand, EXIT_OK } from '../cli-command.js';
import { optionalFlag, validInput } from '../flags.js';

const batchSizeSchema = z.coerce.number().int().min(1).max(10_000);

export const keysRotate: CliCommand = {
  words: ['keys', 'rotate'],
  usage: '[--batch-size N]',
  summary:
    're-encrypt every factor secret under the newest STEPGUARD_ENCRYPTION_KEYS key, one transaction per batch ' +
    '(default 500); safe to interrupt and re-run',
  options: { 'batch-size': { type: 'string' } },
  prepare(flags) {
    const batchSize = validInput(batchSizeSchema, optionalFlag(flags, 'batch-size') ?? '500', { '': 'batch-size' });
    return async ({ app, config, out }) => {
      const commands = (await app()).get(CommandBus);
      const keyId = config.encryptionKeys.at(-1)!.id;
      const tenants = new Set<string>();
      let total = 0;
      let batches = 0;
      let after: string | null = null;
      // Keyset batches, each committed on its own: an interrupted run keeps what it did, and the
      // next run only finds the secrets still under an older key.
      while (true) {
        const batch: ReencryptedBatch = await commands.execute(
          new ReencryptFactorSecretsCommand(after, batchSize, CLI_ACTOR),
        );
        if (batch.reencrypted === 0) break;
        batches++;
        total += batch.reencrypted;
        batch.tenantIds.forEach((id) => tenants.add(id));
        after = batch.lastId;
        out(`batch ${batches}: re-encrypted ${batch.reencrypted} factor secrets (${total} so far)`);
      }
      if (total === 0) out(`nothing to re-encrypt: every factor secret is under key ${keyId}`);
      else out(`done: re-encrypted ${total} factor secrets of ${tenants.size} tenants under key ${keyId}`);
      return EXIT_OK;
    };
  },
};

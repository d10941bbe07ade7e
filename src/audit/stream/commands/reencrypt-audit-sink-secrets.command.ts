import { Command } from '@nestjs/cqrs';
import type { Actor } from '../../../common/actor.js';

export interface ReencryptedSinkBatch {
  /** Sinks whose secrets this batch sealed again (or cleared of retired ones); 0 when nothing was left. */
  sinks: number;
  /** Secrets moved to the newest key. */
  secrets: number;
  /** Where the next batch starts (keyset cursor), null when this batch was empty. */
  lastId: string | null;
}

/**
 * Seals the secrets of the next batch of audit sinks that hold one under an older key again under the
 * newest, in one transaction, each sink's change audited on its own chain. Run in a loop until a batch
 * comes back empty, like ReencryptFactorSecretsCommand.
 */
export class ReencryptAuditSinkSecretsCommand extends Command<ReencryptedSinkBatch> {
  constructor(
    readonly afterId: string | null,
    readonly batchSize: number,
    readonly actor: Actor,
  ) {
    super();
  }
}

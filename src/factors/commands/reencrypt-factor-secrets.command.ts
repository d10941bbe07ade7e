import { Command } from '@nestjs/cqrs';
import type { Actor } from '../../common/actor.js';

export interface ReencryptedBatch {
  /** How many secrets this batch moved to the newest key; 0 when there was nothing left after `afterId`. */
  reencrypted: number;
  /** Where the next batch starts (keyset cursor), null when this batch was empty. */
  lastId: string | null;
  tenantIds: string[];
}

/**
 * Re-encrypts the next batch of factor secrets sealed under an older key, in one transaction. Run in
 * a loop until a batch comes back empty; a later run simply finds less (or nothing) to do.
 */
export class ReencryptFactorSecretsCommand extends Command<ReencryptedBatch> {
  constructor(
    readonly afterId: string | null,
    readonly batchSize: number,
    readonly actor: Actor,
  ) {
    super();
  }
}

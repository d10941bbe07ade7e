import { Command } from '@nestjs/cqrs';
import type { Actor } from '../../../common/actor.js';

/** Which chains to purge: every chain (the repeating job, the CLI), or one. */
export type PurgeScope = { kind: 'all' } | { kind: 'chain'; chainKey: string };

export interface PurgedAuditLog {
  /** False when AUDIT_RETENTION_DAYS is 0: the log is kept forever and nothing was read. */
  enabled: boolean;
  /** Events older than this were eligible (null when retention is off). */
  cutoff: Date | null;
  chains: number;
  /** Purges recorded (one per batch and chain, each an AuditRetentionPurged event on its chain). */
  purges: number;
  /** Events deleted, or with `dryRun` those that would be. */
  events: number;
  checkpoints: number;
  /** Chains where a sink's cursor stops the purge: older events it has not received yet. */
  held: { chainKey: string; sinkId: string; seq: number }[];
  /** Chains left whole because their chain does not verify in the range that would go. */
  broken: { chainKey: string; seq: number; problem: string }[];
}

/** The chains of `held`, per sink holding them back. */
export function heldBySink(held: PurgedAuditLog['held']): Map<string, PurgedAuditLog['held']> {
  const bySink = new Map<string, PurgedAuditLog['held']>();
  for (const chain of held) {
    const chains = bySink.get(chain.sinkId);
    if (chains) chains.push(chain);
    else bySink.set(chain.sinkId, [chain]);
  }
  return bySink;
}

/**
 * Deletes what AUDIT_RETENTION_DAYS lets go (issue 13: never an event a sink that is not disabled has not
 * received), chain by chain in bounded batches, each batch its own transaction with its own audit entry.
 */
export class PurgeAuditLogCommand extends Command<PurgedAuditLog> {
  constructor(
    readonly actor: Actor,
    readonly scope: PurgeScope = { kind: 'all' },
    /** Only say what would go: the same bounds, nothing deleted. */
    readonly dryRun = false,
    /** Events (and checkpoints) per batch, at most 10,000: one transaction each. */
    readonly batchSize = 1000,
  ) {
    super();
  }
}

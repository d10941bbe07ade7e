import { Command } from '@nestjs/cqrs';
import type { AuditCheckpointView } from '../../stream/stream-item.js';

/**
 * Which chains to checkpoint: `due`, every chain without a checkpoint in the current cadence window (the
 * repeating job: running it twice in a window makes one checkpoint per chain); `all`, every chain now;
 * `chain`, one chain now (the CLI, on demand).
 */
export type CheckpointScope = { kind: 'due' } | { kind: 'all' } | { kind: 'chain'; chainKey: string };

export interface TakenCheckpoints {
  /** Chains read (every chain of `audit_chains`, or the one asked for). */
  chains: number;
  taken: number;
  /** The last checkpoint taken, in chain-key order (the one of the chain asked for). */
  last: AuditCheckpointView | null;
}

/** Signs the current head of chains (ARCHITECTURE invariant 10: a truncated tail becomes detectable). */
export class TakeAuditCheckpointsCommand extends Command<TakenCheckpoints> {
  constructor(
    readonly scope: CheckpointScope,
    /** Chains per transaction (a keyset batch: one read and one insert). */
    readonly batchSize = 1000,
  ) {
    super();
  }
}

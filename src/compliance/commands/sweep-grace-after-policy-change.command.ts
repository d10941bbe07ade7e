import { Command } from '@nestjs/cqrs';

/** Sweeps the tenant whose policy change an outbox row stands for; a row already done is not swept again. */
export class SweepGraceAfterPolicyChangeCommand extends Command<{ swept: boolean }> {
  constructor(
    readonly outboxId: string,
    readonly batchSize: number,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';

export interface GraceSweepResult {
  candidates: number;
  enforced: number;
  reminded: number;
  scheduled: number;
}

/**
 * Walks every user in scope without an accepted factor (of one tenant, when `tenantId` is given), in
 * keyset batches of `batchSize`: enforces the deadlines that have come, sends the reminders due, and
 * schedules a precise job for each deadline that falls before the next sweep.
 */
export class SweepGracePeriodsCommand extends Command<GraceSweepResult> {
  constructor(
    readonly batchSize: number,
    readonly tenantId: string | null = null,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';

export interface PurgedMfaRecords {
  challenges: number;
  pendingFactors: number;
  emailCodes: number;
  passkeyCeremonies: number;
  outboxMessages: number;
}

/**
 * Deletes sign-in challenges, e-mail codes and enrolments that can never be used again, a day after
 * they died (so a late answer still gets "expired", not "not found"), and outbox rows a week after
 * their e-mail went out; in batches of `batchSize`.
 */
export class PurgeSpentMfaRecordsCommand extends Command<PurgedMfaRecords> {
  constructor(readonly batchSize: number) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';

/** A user's enrolment deadline has come: enforce it if they are still without an accepted factor. */
export class EnforceGraceDeadlineCommand extends Command<{ enforced: boolean }> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
  ) {
    super();
  }
}

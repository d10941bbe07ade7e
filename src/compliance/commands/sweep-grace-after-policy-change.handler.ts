import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { SweepGraceAfterPolicyChangeCommand } from './sweep-grace-after-policy-change.command.js';
import { SweepGracePeriodsCommand } from './sweep-grace-periods.command.js';

/**
 * The periodic sweep, run on one tenant right after its policy changed. Marked done only after the
 * sweep, so a crash mid-way sweeps again on retry; each action of a sweep happens at most once anyway.
 */
@CommandHandler(SweepGraceAfterPolicyChangeCommand)
export class SweepGraceAfterPolicyChangeHandler implements ICommandHandler<SweepGraceAfterPolicyChangeCommand> {
  constructor(
    private readonly commands: CommandBus,
    private readonly outbox: OutboxRelay,
  ) {}

  async execute({ outboxId, batchSize }: SweepGraceAfterPolicyChangeCommand): Promise<{ swept: boolean }> {
    const row = await this.outbox.find(outboxId);
    if (!row?.tenantId || row.deliveredAt) return { swept: false };
    await this.commands.execute(new SweepGracePeriodsCommand(batchSize, row.tenantId));
    await this.outbox.markDelivered(row.id);
    return { swept: true };
  }
}

import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { GracePeriodActions } from '../grace/grace-period-actions.js';
import { EnforceGraceDeadlineCommand } from './enforce-grace-deadline.command.js';

@CommandHandler(EnforceGraceDeadlineCommand)
export class EnforceGraceDeadlineHandler implements ICommandHandler<EnforceGraceDeadlineCommand> {
  constructor(private readonly actions: GracePeriodActions) {}

  async execute({ tenantId, userId }: EnforceGraceDeadlineCommand): Promise<{ enforced: boolean }> {
    return { enforced: await this.actions.enforce(tenantId, userId) };
  }
}

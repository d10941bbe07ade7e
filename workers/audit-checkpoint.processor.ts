import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { TakeAuditCheckpointsCommand, type TakenCheckpoints } from '../src/audit/index.js';
import { OnJob } from '../src/infra/queues/on-job.decorator.js';

/** The `audit-checkpoints` queue: a signed checkpoint of every chain without one in the current cadence window. */
@Injectable()
export class AuditCheckpointProcessor {
  constructor(private readonly commands: CommandBus) {}

  @OnJob('audit-checkpoints', 'audit-checkpoint')
  async takeDue(): Promise<Omit<TakenCheckpoints, 'last'>> {
    const { chains, taken } = await this.commands.execute(new TakeAuditCheckpointsCommand({ kind: 'due' }));
    return { chains, taken };
  }
}

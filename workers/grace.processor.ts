import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig } from '../src/common/app-config.js';
import { OnJob } from '../src/infra/queues/on-job.decorator.js';
import {
  EnforceGraceDeadlineCommand,
  SweepGraceAfterPolicyChangeCommand,
  SweepGracePeriodsCommand,
} from '../src/compliance/index.js';

/** The `grace` queue: the repeating sweep, a policy change's sweep and the precise jobs they schedule at each deadline. */
@Injectable()
export class GraceProcessor {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
  ) {}

  @OnJob('grace', 'grace-sweep')
  sweep() {
    return this.commands.execute(new SweepGracePeriodsCommand(this.config.env.GRACE_SWEEP_BATCH_SIZE));
  }

  /** A policy change's sweep of its tenant, queued through the outbox in the change's transaction. */
  @OnJob('grace', 'grace-policy-sweep')
  policySweep({ outboxId }: { outboxId: string }) {
    const batchSize = this.config.env.GRACE_SWEEP_BATCH_SIZE;
    return this.commands.execute(new SweepGraceAfterPolicyChangeCommand(outboxId, batchSize));
  }

  @OnJob('grace', 'grace-deadline')
  deadline({ tenantId, userId }: { tenantId: string; userId: string; deadline: number }) {
    return this.commands.execute(new EnforceGraceDeadlineCommand(tenantId, userId));
  }
}

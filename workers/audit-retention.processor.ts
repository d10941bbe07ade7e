import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { PurgeAuditLogCommand } from '../src/audit/index.js';
import { SYSTEM_ACTOR } from '../src/common/actor.js';
import { OnJob } from '../src/infra/queues/on-job.decorator.js';

/** The `audit-retention` queue: purges what AUDIT_RETENTION_DAYS lets go, every sink having received it. */
@Injectable()
export class AuditRetentionProcessor {
  constructor(private readonly commands: CommandBus) {}

  @OnJob('audit-retention', 'audit-purge')
  async purge() {
    const run = await this.commands.execute(new PurgeAuditLogCommand(SYSTEM_ACTOR));
    return {
      chains: run.chains,
      purges: run.purges,
      events: run.events,
      checkpoints: run.checkpoints,
      held: run.held.length,
      broken: run.broken.length,
    };
  }
}

import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../common/app-config.js';
import { Clock } from '../../common/clock.js';
import { jobIdOf } from '../../infra/queues/job-id.js';
import { JobQueues } from '../../infra/queues/job-queues.js';
import { GracePeriodActions } from '../grace/grace-period-actions.js';
import { planGraceActions } from '../../policy/index.js';
import type { GraceCandidate } from '../standings/grace-candidates.sql.js';
import { MfaStandings } from '../standings/mfa-standings.js';
import { type GraceSweepResult, SweepGracePeriodsCommand } from './sweep-grace-periods.command.js';

@CommandHandler(SweepGracePeriodsCommand)
export class SweepGracePeriodsHandler implements ICommandHandler<SweepGracePeriodsCommand> {
  private readonly logger = new Logger('GraceSweep');

  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly actions: GracePeriodActions,
    private readonly queues: JobQueues,
  ) {}

  async execute({ batchSize, tenantId }: SweepGracePeriodsCommand): Promise<GraceSweepResult> {
    const result: GraceSweepResult = { candidates: 0, enforced: 0, reminded: 0, scheduled: 0 };
    // The next sweep may run a whole interval from now (a little more, for a slow run): deadlines
    // before then get a job of their own.
    const horizonMs = 2 * this.config.env.GRACE_SWEEP_INTERVAL_MINUTES * 60_000;
    let after: string | null = null;
    for (;;) {
      const batch = await new MfaStandings(this.orm.em.fork()).graceCandidatesAfter(after, batchSize, tenantId);
      for (const candidate of batch) await this.act(candidate, horizonMs, result);
      result.candidates += batch.length;
      if (batch.length < batchSize) break;
      after = batch.at(-1)!.userId;
    }
    this.logger.log(`grace sweep${tenantId ? ` of tenant ${tenantId}` : ''}: ${JSON.stringify(result)}`);
    return result;
  }

  private async act(candidate: GraceCandidate, horizonMs: number, result: GraceSweepResult): Promise<void> {
    const now = this.clock.now();
    for (const action of planGraceActions(candidate.deadline, now, this.config.env.MFA_REMINDER_DAYS, horizonMs)) {
      if (action.kind === 'enforce' && (await this.actions.enforce(candidate.tenantId, candidate.userId))) {
        result.enforced++;
      }
      if (action.kind === 'remind' && (await this.actions.remind(candidate, action.daysBefore))) result.reminded++;
      if (action.kind === 'schedule') {
        const { tenantId, userId } = candidate;
        const deadline = action.at.getTime();
        // The id names the user and the deadline: every sweep that sees it adds the same one job, and a
        // changed deadline is a new job (the old one finds nothing due and does nothing).
        await this.queues.add(
          'grace',
          'grace-deadline',
          { tenantId, userId, deadline },
          { jobId: jobIdOf('grace', tenantId, userId, deadline), delay: Math.max(0, deadline - now.getTime()) },
        );
        result.scheduled++;
      }
    }
  }
}

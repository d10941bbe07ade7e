import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../common/app-config.js';
import { Clock } from '../../common/clock.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { jobIdOf } from '../../infra/queues/job-id.js';
import { JobQueues } from '../../infra/queues/job-queues.js';
import { type DueReminder, GracePeriodActions } from '../grace/grace-period-actions.js';
import { MfaPolicyStore, planGraceActions } from '../../policy/index.js';
import type { GraceCandidate } from '../standings/grace-candidates.sql.js';
import { MfaStandings } from '../standings/mfa-standings.js';
import { type GraceSweepResult, SweepGracePeriodsCommand } from './sweep-grace-periods.command.js';

/**
 * Enforcements of a batch run two at a time, each in its own transaction (see GracePeriodActions): the
 * second hides the first's round trips; they meet only at the tenant's audit chain head. More lanes
 * were no faster on 2 cores (measured: bench/grace-sweep.bench.js) and would hold more pooled connections.
 */
const ENFORCEMENT_LANES = 2;

/** What one batch of candidates owes, planned before anything is written. */
interface BatchPlan {
  overdue: GraceCandidate[];
  reminders: DueReminder[];
  deadlines: { candidate: GraceCandidate; at: Date }[];
}

@CommandHandler(SweepGracePeriodsCommand)
export class SweepGracePeriodsHandler implements ICommandHandler<SweepGracePeriodsCommand> {
  private readonly logger = new Logger('GraceSweep');

  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly actions: GracePeriodActions,
    private readonly queues: JobQueues,
    private readonly outbox: OutboxRelay,
    private readonly policies: MfaPolicyStore,
  ) {}

  async execute({ batchSize, tenantId }: SweepGracePeriodsCommand): Promise<GraceSweepResult> {
    const result: GraceSweepResult = { candidates: 0, enforced: 0, reminded: 0, scheduled: 0 };
    const candidatesAfter = (after: string | null) =>
      new MfaStandings(this.orm.em.fork()).graceCandidatesAfter(after, batchSize, tenantId);
    // Each tenant's reminder days, read once per sweep: the policy the candidates were read under.
    const reminderDays = new Map<string, Promise<number[]>>();
    const remindersOf = (tenant: string) => {
      if (!reminderDays.has(tenant)) {
        reminderDays.set(
          tenant,
          TenantScope.run(tenant, () => this.policies.current(tenant)).then((policy) => policy.settings.reminderDays),
        );
      }
      return reminderDays.get(tenant)!;
    };
    let next = candidatesAfter(null);
    for (;;) {
      const batch = await next;
      const more = batch.length === batchSize;
      // Pipelined: the next batch is read while this one is written. The batches hold disjoint users,
      // and what this one writes (notices, sessions, the audit log) changes nobody's candidacy.
      if (more) {
        next = candidatesAfter(batch.at(-1)!.userId);
        // Awaited on the next turn; should this batch fail first, its rejection is not left unhandled.
        next.catch(() => undefined);
      }
      await this.act(await this.plan(batch, remindersOf), result);
      result.candidates += batch.length;
      if (!more) break;
    }
    this.logger.log(`grace sweep${tenantId ? ` of tenant ${tenantId}` : ''}: ${JSON.stringify(result)}`);
    return result;
  }

  private async plan(
    batch: readonly GraceCandidate[],
    remindersOf: (tenantId: string) => Promise<number[]>,
  ): Promise<BatchPlan> {
    const now = this.clock.now();
    // The next sweep may run a whole interval from now (a little more, for a slow run): deadlines
    // before then get a job of their own.
    const horizonMs = 2 * this.config.env.GRACE_SWEEP_INTERVAL_MINUTES * 60_000;
    const plan: BatchPlan = { overdue: [], reminders: [], deadlines: [] };
    for (const candidate of batch) {
      const reminderDays = await remindersOf(candidate.tenantId);
      for (const action of planGraceActions(candidate.deadline, now, reminderDays, horizonMs)) {
        if (action.kind === 'enforce') plan.overdue.push(candidate);
        if (action.kind === 'remind') plan.reminders.push({ candidate, daysBefore: action.daysBefore });
        if (action.kind === 'schedule') plan.deadlines.push({ candidate, at: action.at });
      }
    }
    return plan;
  }

  /**
   * The batch's reminders commit in one transaction (per tenant), each enforcement in its own (see
   * GracePeriodActions), side by side; the e-mails of both are then relayed together. Every write is
   * gated by its notice row, so a rerun after a crash anywhere in here redoes only what did not commit.
   * Should one part fail, the others are let finish first: nothing of a sweep runs on after it failed.
   */
  private async act({ overdue, reminders, deadlines }: BatchPlan, result: GraceSweepResult): Promise<void> {
    const work = [
      this.enforceEach(overdue),
      this.actions.commitReminders(reminders),
      Promise.all(deadlines.map(({ candidate, at }) => this.scheduleDeadline(candidate, at))),
    ] as const;
    await Promise.allSettled(work);
    const [enforcedMail, reminderMail] = await Promise.all(work);
    result.enforced += enforcedMail.length;
    result.reminded += reminderMail.length;
    result.scheduled += deadlines.length;
    await this.outbox.relayNow([...enforcedMail, ...reminderMail]);
  }

  /** Up to ENFORCEMENT_LANES enforcements at a time, each its own transaction; stops at the first failure. */
  private async enforceEach(overdue: readonly GraceCandidate[]): Promise<string[]> {
    const mail: string[] = [];
    let next = 0;
    const failures: unknown[] = [];
    const lane = async () => {
      while (failures.length === 0 && next < overdue.length) {
        const { tenantId, userId } = overdue[next++]!;
        try {
          const outboxId = await this.actions.commitEnforcement(tenantId, userId);
          if (outboxId) mail.push(outboxId);
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ENFORCEMENT_LANES, overdue.length) }, lane));
    if (failures.length) throw failures[0];
    return mail;
  }

  private async scheduleDeadline({ tenantId, userId }: GraceCandidate, at: Date): Promise<void> {
    const deadline = at.getTime();
    // The id names the user and the deadline: every sweep that sees it adds the same one job, and a
    // changed deadline is a new job (the old one finds nothing due and does nothing).
    await this.queues.add(
      'grace',
      'grace-deadline',
      { tenantId, userId, deadline },
      {
        jobId: jobIdOf('grace', tenantId, userId, deadline),
        delay: Math.max(0, deadline - this.clock.now().getTime()),
      },
    );
  }
}

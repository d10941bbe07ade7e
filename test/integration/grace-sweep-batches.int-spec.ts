import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import { ManualClock } from '../../src/common/clock.js';
import { SweepGracePeriodsCommand } from '../../src/compliance/commands/sweep-grace-periods.command.js';
import { GracePeriodActions } from '../../src/compliance/grace/grace-period-actions.js';
import { OutboxRelay } from '../../src/infra/outbox/outbox-relay.js';
import { jobIdOf } from '../../src/infra/queues/job-id.js';
import { JobQueues } from '../../src/infra/queues/job-queues.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The sweep writes a batch's reminders in one transaction and relays a batch's e-mails together. No
 * workers run here: the e-mail jobs stay in Redis, where each one can be counted. Every test has its own
 * tenant; a sweep covers them all, so each test counts its own tenant's notices, rows and jobs.
 */
describe('grace sweep batches', () => {
  const clock = new ManualClock('2031-05-04T09:00:00Z');
  let t: TestApp;
  beforeAll(async () => {
    // Long sessions: the clock jumps by days between making members, by the admin's session.
    t = await startTestApp({
      clock,
      env: {
        SESSION_IDLE_TIMEOUT_MINUTES: String(30 * 24 * 60),
        SESSION_ABSOLUTE_TIMEOUT_MINUTES: String(30 * 24 * 60),
      },
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(() => t.close());

  const sweep = (batchSize: number) => t.app.get(CommandBus).execute(new SweepGracePeriodsCommand(batchSize));

  /** A tenant requiring MFA of members with 10 days' grace: `overdue` members past it, `reminded` 5 days from it. */
  async function tenantWith(overdue: number, reminded: number) {
    const acme = await aTenant(t.http);
    await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 10 });
    const early = await members(acme, overdue);
    clock.advance(5 * DAY);
    const late = await members(acme, reminded);
    clock.advance(5 * DAY + MINUTE);
    return { acme, early, late };
  }

  /** Members whose scope start is recorded now (it follows the account's creation, after its commit). */
  async function members(acme: TenantFixture, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await aUser(t.http, acme)).id);
    await waitUntil(() => t.sql('select 1 from mfa_scope_starts where user_id = any($1::uuid[])', [ids]), {
      what: "the members' scope starts",
      until: (rows) => rows.length === n,
    });
    return ids;
  }

  /** What the tenant's notices came to: notices by user, their outbox rows, and the e-mail jobs in Redis. */
  async function delivered(acme: TenantFixture) {
    const notices = await t.sql<{ user_id: string; kind: string }>(
      'select user_id, kind from mfa_grace_notices where tenant_id = $1 order by user_id',
      [acme.id],
    );
    const rows = await t.sql<{ id: string; relayed: boolean }>(
      `select o.id, o.relayed_at is not null as relayed from outbox_messages o
         join mfa_grace_notices n on n.id = o.ref_id
        where o.tenant_id = $1 and o.kind = 'mfa_grace_notice'`,
      [acme.id],
    );
    const email = t.app.get(JobQueues).queue('email');
    const jobs = await Promise.all(rows.map((row) => email.getJob(jobIdOf('outbox', row.id))));
    const expired = await t.sql<{ target_id: string }>(
      `select target_id from audit_events where tenant_id = $1 and action = 'MfaGracePeriodExpired'`,
      [acme.id],
    );
    return {
      kindsByUser: Object.fromEntries(notices.map((n) => [n.user_id, n.kind])),
      notices: notices.length,
      outboxRows: rows.length,
      relayed: rows.filter((row) => row.relayed).length,
      mailJobs: jobs.filter((job) => job?.name === 'send-mfa-grace-notice').length,
      expiredAudited: expired.map((e) => e.target_id).sort(),
    };
  }

  const expectedKinds = (early: string[], late: string[]) =>
    Object.fromEntries([...early.map((id) => [id, 'enforced']), ...late.map((id) => [id, 'reminder-7'])]);

  it('neither loses nor repeats a notice or an e-mail when a sweep dies mid-way and runs again', async () => {
    const { acme, early, late } = await tenantWith(3, 5);
    // The first run dies while writing its second batch; what it committed before was never relayed,
    // as after a kill -9 between a commit and its enqueue.
    jest.spyOn(t.app.get(OutboxRelay), 'relayNow').mockResolvedValue();
    const actions = t.app.get(GracePeriodActions);
    const commitReminders = actions.commitReminders.bind(actions);
    let batches = 0;
    jest.spyOn(actions, 'commitReminders').mockImplementation(async (due) => {
      if (++batches === 2) throw new Error('the worker died');
      return commitReminders(due);
    });
    await expect(sweep(2)).rejects.toThrow('the worker died');
    const committedBefore = (await delivered(acme)).notices;
    expect(committedBefore).toBeGreaterThan(0);
    expect(committedBefore).toBeLessThan(8);
    jest.restoreAllMocks();

    const rerun = await sweep(2);
    // Only what the first run did not commit is done again; the outbox sweep relays what it committed.
    expect(rerun.enforced + rerun.reminded).toBe(8 - committedBefore);
    await t.app.get(OutboxRelay).sweep();

    const after = await delivered(acme);
    expect(after.kindsByUser).toEqual(expectedKinds(early, late));
    expect(after).toMatchObject({ notices: 8, outboxRows: 8, relayed: 8, mailJobs: 8 });
    expect(after.expiredAudited).toEqual([...early].sort());
  });

  it('reminds and enforces each user once when two sweeps with different batches race', async () => {
    const { acme, early, late } = await tenantWith(4, 9);
    const [first, second] = await Promise.all([sweep(3), sweep(5)]);
    // The first test's tenant is swept too: its reminded members are overdue by now, so only enforced.
    expect(first.reminded + second.reminded).toBe(9);
    const after = await delivered(acme);
    expect(after.kindsByUser).toEqual(expectedKinds(early, late));
    expect(after).toMatchObject({ notices: 13, outboxRows: 13, relayed: 13, mailJobs: 13 });
    expect(after.expiredAudited).toEqual([...early].sort());
  });
});

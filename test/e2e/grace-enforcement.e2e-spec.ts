import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import { ManualClock } from '../../src/common/clock.js';
import { SweepGracePeriodsCommand } from '../../src/compliance/commands/sweep-grace-periods.command.js';
import { jobIdOf } from '../../src/infra/queues/job-id.js';
import { JobQueues } from '../../src/infra/queues/job-queues.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, signIn, type TenantFixture } from '../support/builders.js';
import { outboxDrained } from '../support/outbox.js';
import { setMfaPolicy } from '../support/policy.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The grace-period workers, run at chosen moments of a fake clock, against real SMTP. A sweep covers
 * every tenant (earlier tests' users too), so each test checks its own users' sessions, mail and audit.
 */
describe('grace-period enforcement', () => {
  const clock = new ManualClock('2030-09-01T09:00:00Z');
  let smtp: TestSmtp;
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    smtp = await startSmtp();
    // Long sessions: the clock jumps by days, and sessions must survive until the deadline revokes them.
    t = await startTestApp({
      clock,
      extra: [WorkersModule],
      env: {
        SMTP_URL: smtp.url,
        SESSION_IDLE_TIMEOUT_MINUTES: String(30 * 24 * 60),
        SESSION_ABSOLUTE_TIMEOUT_MINUTES: String(30 * 24 * 60),
      },
    });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const sweep = () => t.app.get(CommandBus).execute(new SweepGracePeriodsCommand(2));
  const requireOfMembers = (days = 7) =>
    setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: days });
  const alive = async (token: string) => (await t.http.get('/v1/me', token)).status === 200;
  const actions = async (userId: string) =>
    (
      await t.sql<{ action: string; details: Record<string, unknown> }>(
        `select action, details from audit_events where target_id = $1 or (target_type = 'session' and details->>'userId' = $1::text) order by seq`,
        [userId],
      )
    ).filter((e) => e.action === 'SessionRevoked' || e.action === 'MfaGracePeriodExpired');
  /** The tenant's mail and policy sweeps are all done: a mail not in the inbox now never comes. */
  const settled = () => outboxDrained(t, acme.id);
  const revoked = (token: string, what: string) =>
    waitUntil(async () => !(await alive(token)), { what: `${what} answering 401` });

  it('revokes every session of an overdue member at the deadline and e-mails them, exactly once', async () => {
    const member = await aUser(t.http, acme);
    const second = await signIn(t.http, acme.slug, member.email);
    await requireOfMembers();
    clock.advance(7 * DAY - MINUTE);
    await sweep();
    expect(await alive(member.token)).toBe(true);

    clock.advance(2 * MINUTE);
    await sweep();
    expect(await alive(member.token)).toBe(false);
    expect(await alive(second)).toBe(false);
    expect((await actions(member.id)).map((e) => [e.action, e.details.reason ?? e.details.sessionsRevoked])).toEqual([
      ['SessionRevoked', 'grace_expired'],
      ['SessionRevoked', 'grace_expired'],
      ['MfaGracePeriodExpired', 2],
    ]);
    const mail = await smtp.nth(member.email, 2);
    expect(mail.subject).toMatch(/set up two-step sign-in to continue/);

    await Promise.all([sweep(), sweep()]);
    await settled();
    expect(smtp.to(member.email)).toHaveLength(2);
    expect(await actions(member.id)).toHaveLength(3);
  });

  it('reminds 7 days and 1 day before the deadline, each once', async () => {
    const member = await aUser(t.http, acme);
    await requireOfMembers(10);
    clock.advance(2 * DAY);
    await sweep();
    await settled();
    expect(smtp.to(member.email)).toHaveLength(0);
    clock.advance(DAY + MINUTE);
    await sweep();
    expect((await smtp.nth(member.email, 1)).text).toMatch(/within 7 day\(s\)/);
    await sweep();
    clock.advance(6 * DAY);
    await sweep();
    expect((await smtp.nth(member.email, 2)).text).toMatch(/within 1 day\(s\)/);
    await settled();
    expect(smtp.to(member.email)).toHaveLength(2);
  });

  it("reminds on the days the tenant's policy chose, which a save without them keeps", async () => {
    const member = await aUser(t.http, acme);
    await setMfaPolicy(t.http, acme, {
      requireMfa: true,
      requiredRoles: ['member'],
      gracePeriodDays: 10,
      reminderDays: [3],
    });
    const admin = await signIn(t.http, acme.slug, acme.admin.email);
    const { reminderDays: _left, ...withoutReminders } = (await t.http.get('/v1/admin/mfa-policy', admin)).body;
    const saved = await t.http.request('PUT', '/v1/admin/mfa-policy', {
      token: admin,
      body: { ...withoutReminders, rememberDeviceDays: 7 },
    });
    expect(saved.body).toMatchObject({ reminderDays: [3], rememberDeviceDays: 7 });
    for (const wrong of [[0], [5, 5], [91], [1, 2, 3, 4, 5, 6]]) {
      const refused = await t.http.request('PUT', '/v1/admin/mfa-policy', {
        token: admin,
        body: { ...withoutReminders, reminderDays: wrong },
      });
      expect(refused).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    }

    clock.advance(3 * DAY + MINUTE); // 7 days left: the server's default would remind now
    await sweep();
    await settled();
    expect(smtp.to(member.email)).toHaveLength(0);
    clock.advance(4 * DAY);
    await sweep();
    expect((await smtp.nth(member.email, 1)).text).toMatch(/within 3 day\(s\)/);
    clock.advance(2 * DAY);
    await sweep();
    await settled();
    expect(smtp.to(member.email)).toHaveLength(1);
  });

  it('sends one reminder, not every one passed, to a user whose deadline is already near', async () => {
    const member = await aUser(t.http, acme);
    await requireOfMembers(3);
    await sweep();
    expect((await smtp.nth(member.email, 1)).text).toMatch(/within 3 day\(s\)/);
    clock.advance(DAY);
    await sweep();
    await settled();
    expect(smtp.to(member.email)).toHaveLength(1);
  });

  it('revokes at the deadline the sessions held to the enforced apps, not those of an app the policy spares', async () => {
    const registered = await t.http.post('/v1/admin/apps', { name: 'shop', kind: 'client' }, acme.admin.token);
    expect(registered.status).toBe(201);
    await setMfaPolicy(t.http, acme, {
      requireMfa: true,
      requiredRoles: ['member'],
      gracePeriodDays: 1,
      enforceOn: ['console'],
    });
    const member = await aUser(t.http, acme); // signed in without an app key: held to every app's rules
    const login = { tenant: acme.slug, email: member.email, password: member.password, appKey: registered.body.key };
    const throughClient = (await t.http.post('/v1/auth/login', login)).body.token as string;
    expect((await t.http.get('/v1/me', throughClient)).body.session.app).toBe('client');

    clock.advance(DAY + 1000);
    await sweep();
    await revoked(member.token, "the overdue member's session");
    expect(await alive(member.token)).toBe(false);
    // Both sessions were judged in the one transaction that revoked the first.
    expect(await alive(throughClient)).toBe(true);
  });

  it('enforces a deadline that falls between sweeps with the precise job the sweep scheduled', async () => {
    const member = await aUser(t.http, acme);
    await requireOfMembers(1);
    const [{ started_at: startedAt }] = await waitUntil(
      () => t.sql<{ started_at: Date }>('select started_at from mfa_scope_starts where user_id = $1', [member.id]),
      { what: "the member's scope start", until: (rows) => rows.length === 1 },
    );
    const deadline = startedAt.getTime() + DAY;
    clock.set(new Date(deadline - 10 * MINUTE));
    await sweep();
    expect(await alive(member.token)).toBe(true);
    const job = await t.app
      .get(JobQueues)
      .queue('grace')
      .getJob(jobIdOf('grace', acme.id, member.id, deadline));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.opts.delay).toBe(10 * MINUTE);
    // The deadline passes on the test's clock; the job runs now, as BullMQ runs it once its delay is over.
    clock.advance(10 * MINUTE + 1000);
    await job!.promote();
    await revoked(member.token, "the member's session, by the deadline job");
    expect(await alive(member.token)).toBe(false);
    expect((await actions(member.id)).map((e) => e.action)).toContain('MfaGracePeriodExpired');
  });

  it('leaves alone a member who enrolled in time, or whom the policy no longer covers', async () => {
    const enrolled = await aUser(t.http, acme);
    const relieved = await aUser(t.http, acme, ['member']);
    await requireOfMembers();
    clock.advance(6 * DAY);
    // A first factor needs a fresh password: the member signs in again to add it.
    const fresh = await signIn(t.http, acme.slug, enrolled.email);
    const { factorId, secret } = await enrolTotp(t.http, fresh);
    const verified = await verifyFactor(t.http, fresh, factorId, totpCodeAt(secret, clock));
    expect(verified.status).toBe(200);
    enrolled.token = verified.body.token;
    await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['manager'] });
    clock.advance(2 * DAY);
    await sweep();
    await settled();
    expect(await alive(enrolled.token)).toBe(true);
    expect(await alive(relieved.token)).toBe(true);
  });
});

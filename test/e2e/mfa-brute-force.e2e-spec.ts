import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { SecondFactorRefusals } from '../../src/factors/verification/second-factor-refusals.js';
import { NO_REQUEST } from '../../src/common/actor.js';
import { TenantScope } from '../../src/common/tenant-scope.js';
import { ManualClock } from '../../src/common/clock.js';
import { mfaCodeInvalid } from '../../src/factors/factors.errors.js';
import pg from 'pg';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { outboxDrained } from '../support/outbox.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aUserWithTotp as aUserWithTotpIn, enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const STEP = 30_000;

/** Consecutive wrong codes, across challenges, are counted in the database and cost growing waits. */
describe('second-factor brute force', () => {
  const clock = new ManualClock('2030-04-01T08:00:00Z');
  let t: TestApp;
  let smtp: TestSmtp;
  let acme: TenantFixture;
  beforeAll(async () => {
    smtp = await startSmtp();
    // The Redis windows are opened wide so that the database streak is what is under test.
    t = await startTestApp({
      clock,
      extra: [WorkersModule],
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000', LOGIN_MAX_ATTEMPTS_PER_IP: '100000', SMTP_URL: smtp.url },
    });
  });
  // A tenant (and a signed-in admin) per test: the tests move the clock on by hours.
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const aUserWithTotp = () => aUserWithTotpIn(t.http, acme, clock);
  const challenge = async (email: string) =>
    (await t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD })).body.challengeId as string;
  const verify = (id: string, code: string) =>
    t.http.post(`/v1/auth/challenges/${id}/verify`, { method: 'totp', code });
  const stepUp = (token: string, code: string) => t.http.post('/v1/auth/step-up', { method: 'totp', code }, token);
  const audited = async (action: string, userId: string) =>
    t.sql<{ details: Record<string, unknown> }>(
      `select details from audit_events where action = $1 and actor_id = $2 order by seq`,
      [action, userId],
    );
  /** Puts the user's streak at `failures`, past any wait, as if they had been refused that often. */
  const setStreak = (userId: string, failures: number) =>
    t.sql(
      `insert into mfa_failure_streaks (user_id, tenant_id, consecutive_failures, updated_at)
       values ($1, $2, $3, now()) on conflict (user_id) do update set consecutive_failures = $3, blocked_until = null`,
      [userId, acme.id, failures],
    );

  it('answers 429 with an exponential Retry-After after five consecutive failures, across challenges', async () => {
    const user = await aUserWithTotp();
    for (let i = 0; i < 4; i++) expect((await verify(await challenge(user.email), '000000')).status).toBe(401);
    const fifth = await verify(await challenge(user.email), '000000');
    expect(fifth.status).toBe(401);
    const blocked = await verify(await challenge(user.email), totpCodeAt(user.secret, clock));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBe(30);

    clock.advance(30_000);
    expect((await verify(await challenge(user.email), '000000')).status).toBe(401);
    const longer = await verify(await challenge(user.email), '000000');
    expect(longer.status).toBe(429);
    expect(Number(longer.headers.get('retry-after'))).toBe(60);
  });

  it('ends the streak on a success', async () => {
    const user = await aUserWithTotp();
    for (let i = 0; i < 4; i++) await verify(await challenge(user.email), '000000');
    expect((await verify(await challenge(user.email), totpCodeAt(user.secret, clock))).status).toBe(200);
    clock.advance(STEP);
    for (let i = 0; i < 4; i++) expect((await verify(await challenge(user.email), '000000')).status).toBe(401);
    const rows = await t.sql<{ consecutive_failures: number }>(
      'select consecutive_failures from mfa_failure_streaks where user_id = $1',
      [user.id],
    );
    expect(rows).toEqual([{ consecutive_failures: 4 }]);
  });

  it('locks the user’s second factor after 100 consecutive failures, even for the right code', async () => {
    const user = await aUserWithTotp();
    for (let failures = 0; failures < 100; failures++) {
      clock.advance(2 * 60 * 60_000); // past any block
      expect((await verify(await challenge(user.email), '000000')).status).toBe(401);
    }
    clock.advance(2 * 60 * 60_000);
    const locked = await verify(await challenge(user.email), totpCodeAt(user.secret, clock));
    expect(locked.status).toBe(429);
    expect(locked.body.detail).toMatch(/locked/);
    expect(await audited('MfaChallengeFailed', user.id)).toHaveLength(101);
    expect((await audited('FactorLocked', user.id)).map((e) => e.details)).toEqual([{ consecutiveFailures: 100 }]);
    // A hundred sign-ins, each an argon2 check: half a minute and more on a loaded machine.
  }, 120_000);

  it('e-mails the user once when their second factor is locked, naming no code', async () => {
    const user = await aUserWithTotp();
    await setStreak(user.id, 99);
    expect((await verify(await challenge(user.email), '000000')).status).toBe(401);
    // The user's other mail is the notice of their factor being added.
    const mail = await smtp.nth(user.email, 1, 10_000, /locked/);
    expect(mail.text).toContain(`Tenant ${acme.slug}`);
    expect(mail.text).toMatch(/too many wrong verification codes/);
    expect(mail.text).not.toMatch(/\b\d{6}\b/);
    clock.advance(2 * 60 * 60_000);
    expect((await verify(await challenge(user.email), '000000')).status).toBe(429);
    await outboxDrained(t, acme.id);
    expect(smtp.to(user.email, /locked/)).toHaveLength(1);
  });

  it('records the lock exactly once when the failures that reach it race', async () => {
    const user = await aUserWithTotp();
    await setStreak(user.id, 97);
    // Six refusals committing at once (through HTTP most would be turned away by the wait the first sets),
    // inside the tenant scope a request would have entered.
    const refusals = t.app.get(SecondFactorRefusals);
    await Promise.all(
      Array.from({ length: 6 }, () =>
        TenantScope.run(acme.id, () =>
          refusals.record({
            subject: { tenantId: acme.id, userId: user.id },
            action: 'MfaChallengeFailed',
            target: { type: 'mfa_challenge', id: randomUUID() },
            method: 'totp',
            error: mfaCodeInvalid(),
            request: NO_REQUEST,
          }),
        ),
      ),
    );
    expect(await audited('FactorLocked', user.id)).toHaveLength(1);
    const [streak] = await t.sql('select consecutive_failures, locked_at from mfa_failure_streaks where user_id = $1', [
      user.id,
    ]);
    expect(streak).toMatchObject({ consecutive_failures: 103, locked_at: expect.any(Date) });
    const notices = await t.sql(
      `select count(*)::int as n from outbox_messages where kind = 'mfa_locked_notice' and ref_id = $1`,
      [user.id],
    );
    expect(notices).toEqual([{ n: 1 }]);
  });

  it('counts wrong step-up codes in the same streak, and refuses a step-up once locked', async () => {
    const user = await aUserWithTotp();
    await setStreak(user.id, 99);
    expect((await stepUp(user.token, '000000')).status).toBe(401);
    expect(await audited('FactorLocked', user.id)).toHaveLength(1);
    const refused = await stepUp(user.token, totpCodeAt(user.secret, clock));
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toMatch(/locked/);
    expect((await audited('StepUpFailed', user.id)).map((e) => e.details.code)).toEqual([
      'mfa_code_invalid',
      'too_many_attempts',
    ]);
  });

  it('counts a right code submitted again (409 code_already_used) as no failure', async () => {
    const user = await aUserWithTotp();
    const code = totpCodeAt(user.secret, clock);
    expect((await verify(await challenge(user.email), code)).status).toBe(200);
    for (let i = 0; i < 11; i++) {
      const again = await verify(await challenge(user.email), code);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('code_already_used');
    }
    expect(await t.sql('select * from mfa_failure_streaks where user_id = $1', [user.id])).toEqual([]);
    clock.advance(STEP);
    expect((await verify(await challenge(user.email), totpCodeAt(user.secret, clock))).status).toBe(200);
  });

  it('counts the losers of a race for one backup code as no failure', async () => {
    const user = await aUser(t.http, acme);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    const verified = await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock));
    const backupCode = verified.body.backupCodes[0] as string;
    const ids = await Promise.all(Array.from({ length: 10 }, () => challenge(user.email)));
    // The codes' rows are held until all ten answers have matched and wait to spend it: a race, made certain.
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select id from backup_codes where user_id = $1 for update', [user.id]);
      const answers = ids.map((id) =>
        t.http.post(`/v1/auth/challenges/${id}/verify`, { method: 'backup_code', code: backupCode }),
      );
      await waitUntil(
        async () =>
          (
            await t.sql<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
            )
          )[0]!.n,
        { what: 'the ten answers all waiting on the backup code', until: (waiting) => waiting >= 10 },
      );
      await holder.query('commit');
      const results = await Promise.all(answers);
      expect(results.map((r) => r.status).sort()).toEqual([200, ...Array<number>(9).fill(409)]);
    } finally {
      await holder.end();
    }
    expect(await t.sql('select * from mfa_failure_streaks where user_id = $1', [user.id])).toEqual([]);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, PASSWORD, type TenantFixture } from '../support/builders.js';
import { DEFAULT_POLICY } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

/** The first wait the streak imposes (30 s), and a time step more for a fresh code. */
const BLOCK_AFTER_FIVE = 60_000;

/**
 * A code offered to remove a factor or to confirm a weaker MFA policy is a second-factor check like
 * a sign-in's: it counts on the same PostgreSQL failure streak, is refused by its waits and its lock,
 * and a success ends it.
 */
describe('codes that confirm sensitive changes, on the sign-in failure streak', () => {
  const clock = new ManualClock('2030-04-01T08:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    // The Redis windows are opened wide so that the database streak is what is under test.
    t = await startTestApp({
      clock,
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000', LOGIN_MAX_ATTEMPTS_PER_IP: '100000' },
    });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const remove = (token: string, factorId: string, code: string) =>
    t.http.request('DELETE', `/v1/me/factors/${factorId}`, { token, body: { code } });
  const streak = (userId: string) =>
    t.sql<{ consecutive_failures: number; locked: boolean }>(
      'select consecutive_failures, locked_at is not null as locked from mfa_failure_streaks where user_id = $1',
      [userId],
    );
  /** Wrong codes on sign-in challenges, by default the five after which the streak makes the user wait. */
  async function failSignIns(email: string, times = 5) {
    for (let i = 0; i < times; i++) {
      const login = await t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });
      const res = await t.http.post(`/v1/auth/challenges/${login.body.challengeId}/verify`, {
        method: 'totp',
        code: '000000',
      });
      expect(res.status).toBe(401);
    }
  }

  it('counts a wrong code offered to remove a factor, and a right one ends the streak', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    // A code is proof only in a session opened after its factor existed.
    const token = await signInWithTotp(t.http, acme, user, clock);
    expect((await remove(token, user.factorId, '000000')).body.code).toBe('mfa_code_invalid');
    expect((await remove(token, user.factorId, '000001')).body.code).toBe('mfa_code_invalid');
    expect(await streak(user.id)).toEqual([{ consecutive_failures: 2, locked: false }]);
    expect((await remove(token, user.factorId, totpCodeAt(user.secret, clock))).status).toBe(204);
    expect(await streak(user.id)).toEqual([]);
  });

  it('refuses a factor removal with the right code while the streak makes the user wait (429)', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    await failSignIns(user.email);
    const refused = await remove(user.token, user.factorId, totpCodeAt(user.secret, clock));
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 429, code: 'too_many_attempts' });
    expect(await t.sql('select id from factors where id = $1', [user.factorId])).toHaveLength(1);
  });

  it('locks the second factor on the 100th wrong code offered for a removal, then refuses the right one', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    await t.sql(
      `insert into mfa_failure_streaks (user_id, tenant_id, consecutive_failures, updated_at) values ($1, $2, 99, now())`,
      [user.id, acme.id],
    );
    expect((await remove(user.token, user.factorId, '000000')).status).toBe(401);
    expect(await streak(user.id)).toEqual([{ consecutive_failures: 100, locked: true }]);
    const locks = await t.sql(`select details from audit_events where action = 'FactorLocked' and actor_id = $1`, [
      user.id,
    ]);
    expect(locks).toEqual([{ details: { consecutiveFailures: 100 } }]);
    const refused = await remove(user.token, user.factorId, totpCodeAt(user.secret, clock));
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 429, code: 'too_many_attempts' });
    expect(refused.body.detail).toMatch(/locked/);
  });

  it('counts a code confirming a weaker policy the same way: wrong adds, the wait refuses, right ends it', async () => {
    const { factorId, secret } = await enrolTotp(t.http, acme.admin.token);
    expect((await verifyFactor(t.http, acme.admin.token, factorId, totpCodeAt(secret, clock))).status).toBe(200);
    clock.advance(30_000);
    const token = await signInWithTotp(t.http, acme, { email: acme.admin.email, secret }, clock);
    const weaker = (code: string) =>
      t.http.put(
        '/v1/admin/mfa-policy',
        { ...DEFAULT_POLICY, rememberDeviceDays: 60, confirmation: { password: PASSWORD, code } },
        token,
      );
    expect((await weaker('000000')).body.code).toBe('mfa_code_invalid');
    expect(await streak(acme.admin.id)).toEqual([{ consecutive_failures: 1, locked: false }]);

    await failSignIns(acme.admin.email, 4);
    const refused = await weaker(totpCodeAt(secret, clock));
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 429, code: 'too_many_attempts' });

    clock.advance(BLOCK_AFTER_FIVE);
    expect((await weaker(totpCodeAt(secret, clock))).status).toBe(200);
    expect(await streak(acme.admin.id)).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp as aUserWithTotpIn, totpCodeAt } from '../support/totp.js';

const STEP = 30_000;

/** Consecutive wrong codes, across challenges, are counted in the database and cost growing waits. */
describe('second-factor brute force', () => {
  const clock = new ManualClock('2030-04-01T08:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    // The Redis windows are opened wide so that the database streak is what is under test.
    t = await startTestApp({
      clock,
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000', LOGIN_MAX_ATTEMPTS_PER_IP: '100000' },
    });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const aUserWithTotp = () => aUserWithTotpIn(t.http, acme, clock);
  const challenge = async (email: string) =>
    (await t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD })).body.challengeId as string;
  const verify = (id: string, code: string) =>
    t.http.post(`/v1/auth/challenges/${id}/verify`, { method: 'totp', code });

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
    const audited = await t.sql<{ n: number }>(
      `select count(*)::int as n from audit_events where action = 'MfaChallengeFailed' and actor_id = $1`,
      [user.id],
    );
    expect(audited[0]!.n).toBe(101);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp as aUserWithTotpIn, totpCodeAt } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const STEP = 30_000;

describe('the login challenge (TOTP)', () => {
  const clock = new ManualClock('2030-03-01T09:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const aUserWithTotp = () => aUserWithTotpIn(t.http, acme, clock);

  const login = (email: string, password = PASSWORD) =>
    t.http.post('/v1/auth/login', { tenant: acme.slug, email, password });
  const verify = (challengeId: string, code: string, method = 'totp') =>
    t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method, code });

  it('answers a right password with mfa_required, a challenge and the user’s methods', async () => {
    const user = await aUserWithTotp();
    const res = await login(user.email);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'mfa_required',
      challengeId: expect.any(String),
      methods: ['totp', 'backup_code'],
      expiresAt: new Date(clock.now().getTime() + 5 * 60_000).toISOString(),
    });
    expect(res.body.token).toBeUndefined();
  });

  it('opens an aal 2 session with amr pwd+otp for the current code', async () => {
    const user = await aUserWithTotp();
    const { challengeId } = (await login(user.email)).body;
    const res = await verify(challengeId, totpCodeAt(user.secret, clock));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'authenticated', session: { aal: 2, amr: ['pwd', 'otp'] } });
    const me = await t.http.get('/v1/me', res.body.token);
    expect(me.body.session).toMatchObject({ aal: 2, amr: ['pwd', 'otp'] });
  });

  it('refuses a wrong code and an unoffered method with the same 401, and a code already used with 409', async () => {
    const user = await aUserWithTotp();
    const first = (await login(user.email)).body.challengeId;
    const code = totpCodeAt(user.secret, clock);
    expect((await verify(first, code)).status).toBe(200);
    const second = (await login(user.email)).body.challengeId;
    const answers = [await verify(second, '000000'), await verify(second, code, 'backup_code')];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(answers[0]!.body);
      expect(res.body.code).toBe('mfa_code_invalid');
    }
    const replay = await verify(second, code);
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('code_already_used');
    clock.advance(STEP);
    expect((await verify(second, totpCodeAt(user.secret, clock))).status).toBe(200);
  });

  it('lets one of 10 concurrent verifications with the same code through, once, and tells the others it is used', async () => {
    const user = await aUserWithTotp();
    const challenges = await Promise.all(Array.from({ length: 10 }, () => login(user.email)));
    const code = totpCodeAt(user.secret, clock);
    const results = await Promise.all(challenges.map((c) => verify(c.body.challengeId, code)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'code_already_used')).toHaveLength(9);
    // A right code that lost a race is no failure: nothing on the streak.
    expect(await t.sql('select * from mfa_failure_streaks where user_id = $1', [user.id])).toEqual([]);
  });

  it('answers the loser of a race for one challenge with the right code 409, as no failure', async () => {
    const user = await aUserWithTotp();
    const { challengeId } = (await login(user.email)).body;
    const code = totpCodeAt(user.secret, clock);
    // Both answers are held at the challenge's row until both are there: a double click, made certain.
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select id from mfa_challenges where id = $1 for update', [challengeId]);
      const answers = [verify(challengeId, code), verify(challengeId, code)];
      await waitUntil(
        async () =>
          (
            await t.sql<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
            )
          )[0]!.n,
        { what: 'the two answers both waiting on the challenge', until: (waiting) => waiting >= 2 },
      );
      await holder.query('commit');
      const results = await Promise.all(answers);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body.code).toBe('code_already_used');
    } finally {
      await holder.end();
    }
    expect(await t.sql('select * from mfa_failure_streaks where user_id = $1', [user.id])).toEqual([]);
  });

  it('uses a challenge once and lets it expire after five minutes', async () => {
    const user = await aUserWithTotp();
    const used = (await login(user.email)).body.challengeId;
    expect((await verify(used, totpCodeAt(user.secret, clock))).status).toBe(200);
    clock.advance(STEP);
    const again = await verify(used, totpCodeAt(user.secret, clock));
    expect(again.status).toBe(410);
    expect(again.body.code).toBe('challenge_expired');

    const stale = (await login(user.email)).body.challengeId;
    clock.advance(5 * 60_000);
    expect((await verify(stale, totpCodeAt(user.secret, clock))).status).toBe(410);
  });

  it('allows five tries per challenge, then 429 with Retry-After', async () => {
    const user = await aUserWithTotp();
    const { challengeId } = (await login(user.email)).body;
    for (let i = 0; i < 5; i++) expect((await verify(challengeId, '111111')).status).toBe(401);
    const over = await verify(challengeId, totpCodeAt(user.secret, clock));
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers an unknown challenge with 404 and audits refusals and successes', async () => {
    expect((await verify('00000000-0000-4000-8000-000000000000', '123456')).status).toBe(404);
    const user = await aUserWithTotp();
    const { challengeId } = (await login(user.email)).body;
    await verify(challengeId, '222222');
    await verify(challengeId, totpCodeAt(user.secret, clock));
    const rows = await t.sql<{ action: string; outcome: string; details: Record<string, unknown> }>(
      `select action, outcome, details from audit_events where target_id = $1 order by seq`,
      [challengeId],
    );
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual([
      'MfaChallengeIssued:success',
      'MfaChallengeFailed:failure',
      'MfaChallengeSucceeded:success',
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/\b\d{6}\b/);
  });

  it('keeps users without factors on password-only sign-in (aal 1)', async () => {
    const user = await aUser(t.http, acme);
    const res = await login(user.email);
    expect(res.body).toMatchObject({ status: 'authenticated', session: { aal: 1, amr: ['pwd'] } });
  });
});

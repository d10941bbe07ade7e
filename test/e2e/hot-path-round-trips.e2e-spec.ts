import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { countRoundTrips, type RoundTrips, roundTripsOf } from '../support/round-trips.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, totpCodeAt } from '../support/totp.js';

/**
 * The statements and commands each hot route sends, counted at the drivers (issue 12): a change that
 * adds a round trip to one of them fails here, whatever the machine's speed. When a count must grow,
 * change it here and say why in the commit.
 */
describe('hot paths: round trips per request', () => {
  const clock = new ManualClock('2030-01-01T08:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    countRoundTrips(t.app.getHttpServer());
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  /** A statement's first words, enough to tell the round trips apart in a failure's diff. */
  const shapes = (trips: RoundTrips) => trips.sql.map((sql) => sql.slice(0, 48));
  const AUTHENTICATE = /^select s\.\*, u\.email/;

  it('authenticates a session in one query, the user and tenant joined in', async () => {
    const user = await aUser(t.http, acme);
    const { res, trips } = await roundTripsOf((headers) =>
      t.http.request('GET', '/v1/me/sessions', { token: user.token, headers }),
    );
    expect(res.status).toBe(200);
    expect(trips.sql[0]).toMatch(AUTHENTICATE);
    expect(trips.sql.filter((sql) => /\b(users|tenants)\b/.test(sql))).toEqual([trips.sql[0]]);
  });

  it('GET /v1/me: one query (the principal with its factors, backup codes and scope start), no Redis', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const { res, trips } = await roundTripsOf((headers) =>
      t.http.request('GET', '/v1/me', { token: user.token, headers }),
    );
    expect(res.status).toBe(200);
    expect(res.body.mfa).toMatchObject({ enrolled: true, factors: [expect.objectContaining({ type: 'totp' })] });
    expect(trips.sql).toHaveLength(1);
    expect(trips.sql[0]).toMatch(AUTHENTICATE);
    expect(trips.redis).toEqual([]);
  });

  it('records activity at most once a minute: one more statement for the first request after a minute', async () => {
    const user = await aUser(t.http, acme);
    const me = () => roundTripsOf((headers) => t.http.request('GET', '/v1/me', { token: user.token, headers }));
    expect((await me()).trips.sql).toHaveLength(1);
    clock.advance(60_000);
    const due = await me();
    expect(due.trips.sql).toHaveLength(2);
    expect(due.trips.sql[1]).toMatch(/^update sessions set last_active_at/);
    expect((await me()).trips.sql).toHaveLength(1);
  });

  it('GET /v1/me/sessions: one query, the list read with the session', async () => {
    const user = await aUser(t.http, acme);
    await signIn(t.http, acme.slug, user.email);
    const { res, trips } = await roundTripsOf((headers) =>
      t.http.request('GET', '/v1/me/sessions', { token: user.token, headers }),
    );
    expect(res.body.sessions).toHaveLength(2);
    expect(trips.sql).toHaveLength(1);
    expect(trips.redis).toEqual([]);
  });

  it('revoking a session: the UPDATE and the audit append in one statement, nothing read first', async () => {
    const user = await aUser(t.http, acme);
    const other = await signIn(t.http, acme.slug, user.email);
    const list = await t.http.get('/v1/me/sessions', user.token);
    const target = list.body.sessions.find((s: { current: boolean }) => !s.current);
    const { res, trips } = await roundTripsOf((headers) =>
      t.http.request('DELETE', `/v1/me/sessions/${target.id}`, { token: user.token, headers }),
    );
    expect(res.status).toBe(204);
    // The revocation and its audit entry are one statement: its own transaction, one round trip.
    expect(shapes(trips)).toEqual([expect.stringMatching(AUTHENTICATE), expect.stringMatching(/^with revoked as/)]);
    expect((await t.http.get('/v1/me', other)).status).toBe(401);
  });

  it('an API key authenticates in one statement too', async () => {
    const created = await t.http.post('/v1/admin/api-keys', { name: 'hr', scopes: ['users:read'] }, acme.admin.token);
    const { res, trips } = await roundTripsOf((headers) =>
      t.http.request('GET', '/v1/admin/users', { token: created.body.key, headers }),
    );
    expect(res.status).toBe(200);
    expect(trips.sql.filter((sql) => sql.includes('api_keys'))).toHaveLength(1);
  });

  it('password sign-in without MFA: six round trips after the hash', async () => {
    const user = await aUser(t.http, acme);
    const { res, trips } = await roundTripsOf((headers) =>
      t.http.request('POST', '/v1/auth/login', {
        body: { tenant: acme.slug, email: user.email, password: PASSWORD },
        headers,
      }),
    );
    expect(res.body.status).toBe('authenticated');
    // Before the hash: the tenant and the user; the three rate limits (one script each).
    expect(trips.sql).toHaveLength(2 + 6);
    expect(shapes(trips).slice(2)).toEqual([
      'begin',
      expect.stringMatching(/^select u\.password_hash/),
      expect.stringMatching(/^insert into "sessions"/),
      expect.stringMatching(/^select seq, prev_hash, hash from audit_append/),
      'commit',
      expect.stringMatching(/^with remembered as/),
    ]);
    // The two counters the right password clears go together with the last statement.
    expect(trips.redis).toEqual(['eval', 'eval', 'eval', 'del', 'del']);
  });

  it('TOTP at the login challenge and TOTP step-up', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const challenge = await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD });
    const verify = await roundTripsOf((headers) =>
      t.http.request('POST', `/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
        body: { method: 'totp', code: totpCodeAt(user.secret, clock) },
        headers,
      }),
    );
    expect(verify.res.status).toBe(200);
    expect(verify.trips.sql).toHaveLength(11);
    clock.advance(30_000);
    const stepUp = await roundTripsOf((headers) =>
      t.http.request('POST', '/v1/auth/step-up', {
        token: verify.res.body.token,
        body: { method: 'totp', code: totpCodeAt(user.secret, clock) },
        headers,
      }),
    );
    expect(stepUp.res.status).toBe(200);
    expect(stepUp.trips.sql).toHaveLength(9);
  });
});

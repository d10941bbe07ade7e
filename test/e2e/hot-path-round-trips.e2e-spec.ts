import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { countRoundTrips, roundTripsOf } from '../support/round-trips.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, totpCodeAt } from '../support/totp.js';

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

  it('prints', async () => {
    const user = await aUser(t.http, acme);
    const other = await signIn(t.http, acme.slug, user.email);
    const report: Record<string, unknown> = {};
    const me = await roundTripsOf((headers) => t.http.request('GET', '/v1/me', { token: user.token, headers }));
    report.me = me.trips;
    const list = await roundTripsOf((headers) => t.http.request('GET', '/v1/me/sessions', { token: user.token, headers }));
    report.list = list.trips;
    const target = list.res.body.sessions.find((s: { current: boolean }) => !s.current);
    const revoke = await roundTripsOf((headers) =>
      t.http.request('DELETE', `/v1/me/sessions/${target.id}`, { token: user.token, headers }),
    );
    report.revoke = revoke.trips;
    const login = await roundTripsOf((headers) =>
      t.http.request('POST', '/v1/auth/login', { body: { tenant: acme.slug, email: user.email, password: PASSWORD }, headers }),
    );
    report.login = login.trips;
    const totpUser = await aUserWithTotp(t.http, acme, clock);
    const challenge = await t.http.post('/v1/auth/login', { tenant: acme.slug, email: totpUser.email, password: PASSWORD });
    const verify = await roundTripsOf((headers) =>
      t.http.request('POST', `/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
        body: { method: 'totp', code: totpCodeAt(totpUser.secret, clock) },
        headers,
      }),
    );
    report.verify = verify.trips;
    clock.advance(30_000);
    const stepUp = await roundTripsOf((headers) =>
      t.http.request('POST', '/v1/auth/step-up', {
        token: verify.res.body.token,
        body: { method: 'totp', code: totpCodeAt(totpUser.secret, clock) },
        headers,
      }),
    );
    report.stepUp = { status: stepUp.res.status, ...stepUp.trips };
    expect(other).toBeTruthy();
    console.log(JSON.stringify(report, null, 1));
  });
});

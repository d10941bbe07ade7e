import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  aUserWithTotp as aUserWithTotpIn,
  enrolTotp,
  signInWithTotp,
  totpCodeAt,
  verifyFactor,
} from '../support/totp.js';

const STEP = 30_000;
const DAY = 24 * 60 * 60_000;

describe('remembered devices', () => {
  const clock = new ManualClock('2030-05-01T08:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
  });
  // The clock jumps by days here: the admin signs in afresh so their session never idles out.
  beforeEach(async () => {
    acme.admin.token = await signIn(t.http, acme.slug, acme.admin.email);
  });
  afterAll(() => t.close());

  const aUserWithTotp = () => aUserWithTotpIn(t.http, acme, clock);
  const login = (email: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    t.http.request('POST', '/v1/auth/login', {
      body: { tenant: acme.slug, email, password: PASSWORD, ...extra },
      headers,
    });

  /** Passes a challenge asking to remember the device; returns the device token and the Set-Cookie header. */
  async function remember(user: { email: string; secret: string }) {
    const { challengeId } = (await login(user.email)).body;
    const res = await t.http.post(`/v1/auth/challenges/${challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(user.secret, clock),
      rememberDevice: true,
    });
    expect(res.status).toBe(200);
    clock.advance(STEP);
    return { deviceToken: res.body.deviceToken as string, cookie: res.headers.get('set-cookie') ?? '' };
  }

  it('returns a device token and an httpOnly, SameSite=Strict cookie, stored only as a hash', async () => {
    const user = await aUserWithTotp();
    const { deviceToken, cookie } = await remember(user);
    expect(deviceToken).toMatch(/^sgd_[A-Za-z0-9_-]{43}$/);
    expect(cookie).toMatch(/sg_device=sgd_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const dump = JSON.stringify(await t.sql('select * from remembered_devices'));
    expect(dump).not.toContain(deviceToken.slice(4));
  });

  it('skips the challenge for a remembered device, by body field, header or cookie', async () => {
    const user = await aUserWithTotp();
    const { deviceToken } = await remember(user);
    for (const res of [
      await login(user.email, { deviceToken }),
      await login(user.email, {}, { 'x-stepguard-device': deviceToken }),
      await login(user.email, {}, { cookie: `other=1; sg_device=${deviceToken}` }),
    ]) {
      expect(res.body).toMatchObject({
        status: 'authenticated',
        session: { aal: 2, amr: ['pwd', 'remembered_device'] },
      });
    }
    expect((await login(user.email, { deviceToken: 'sgd_not-a-device' })).body.status).toBe('mfa_required');
  });

  it('stops honouring it after 30 days', async () => {
    const user = await aUserWithTotp();
    const { deviceToken } = await remember(user);
    clock.advance(30 * DAY);
    expect((await login(user.email, { deviceToken })).body.status).toBe('mfa_required');
  });

  it('follows the tenant policy’s rememberDeviceDays: a shorter period ends devices already remembered, and 0 remembers none', async () => {
    const user = await aUserWithTotp();
    const { deviceToken, cookie } = await remember(user);
    expect(new Date(/Expires=([^;]+)/i.exec(cookie)![1]!).getTime()).toBe(clock.now().getTime() - STEP + 30 * DAY);
    const setDays = (rememberDeviceDays: number) => setMfaPolicy(t.http, acme, { rememberDeviceDays });
    try {
      clock.advance(2 * DAY);
      await setDays(7);
      expect((await login(user.email, { deviceToken })).body.status).toBe('authenticated');
      await setDays(1);
      expect((await login(user.email, { deviceToken })).body.status).toBe('mfa_required');
      await setDays(0);
      expect(await remember(user)).toEqual({ deviceToken: undefined, cookie: '' });
    } finally {
      await setDays(30);
    }
  });

  it('ends it when the password changes', async () => {
    const user = await aUserWithTotp();
    const { deviceToken } = await remember(user);
    const session = (await login(user.email, { deviceToken })).body.token;
    const changed = await t.http.post(
      '/v1/me/password',
      { currentPassword: PASSWORD, newPassword: 'a new long passphrase' },
      session,
    );
    expect(changed.status).toBe(204);
    const res = await t.http.post('/v1/auth/login', {
      tenant: acme.slug,
      email: user.email,
      password: 'a new long passphrase',
      deviceToken,
    });
    expect(res.body.status).toBe('mfa_required');
  });

  it('ends it when a factor is enrolled or removed', async () => {
    const user = await aUserWithTotp();
    const first = await remember(user);
    // Adding a factor needs a fresh factor check: a remembered device is an earlier one, carried over.
    const session = await signInWithTotp(t.http, acme, user, clock);
    const second = await enrolTotp(t.http, session);
    expect((await verifyFactor(t.http, session, second.factorId, totpCodeAt(second.secret, clock))).status).toBe(200);
    clock.advance(STEP);
    expect((await login(user.email, { deviceToken: first.deviceToken })).body.status).toBe('mfa_required');

    const again = await remember(user);
    const fresh = (await login(user.email, { deviceToken: again.deviceToken })).body.token;
    const removed = await t.http.request('DELETE', `/v1/me/factors/${second.factorId}`, {
      token: fresh,
      body: { password: PASSWORD },
    });
    expect(removed.status).toBe(204);
    expect((await login(user.email, { deviceToken: again.deviceToken })).body.status).toBe('mfa_required');
  });

  it('forgets every remembered device on request', async () => {
    const user = await aUserWithTotp();
    const { deviceToken } = await remember(user);
    const session = (await login(user.email, { deviceToken })).body.token;
    expect((await t.http.delete('/v1/me/remembered-devices', session)).status).toBe(204);
    expect((await login(user.email, { deviceToken })).body.status).toBe('mfa_required');
    const audited = await t.sql<{ action: string }>(
      `select action from audit_events where actor_id = $1 and action in ('DeviceRemembered', 'RememberedDevicesForgotten') order by seq`,
      [user.id],
    );
    expect(audited.map((r) => r.action)).toEqual(['DeviceRemembered', 'RememberedDevicesForgotten']);
  });

  it('does not let another user’s device skip this user’s challenge', async () => {
    const alice = await aUserWithTotp();
    const bob = await aUserWithTotp();
    const { deviceToken } = await remember(alice);
    expect((await login(bob.email, { deviceToken })).body.status).toBe('mfa_required');
  });
});

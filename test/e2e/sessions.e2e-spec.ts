import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('sessions', () => {
  const clock = new ManualClock('2030-01-01T08:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({
      clock,
      env: { SESSION_IDLE_TIMEOUT_MINUTES: '30', SESSION_ABSOLUTE_TIMEOUT_MINUTES: '600' },
    });
    acme = await aTenant(t.http);
  });
  // The clock moves in these tests: the admin signs in afresh so their own session never idles out.
  beforeEach(async () => {
    acme.admin.token = await signIn(t.http, acme.slug, acme.admin.email);
  });
  afterAll(() => t.close());

  it('lists sessions with device, browser and OS from the User-Agent, the current one flagged', async () => {
    const user = await aUser(t.http, acme);
    const phone = await signIn(t.http, acme.slug, user.email, PASSWORD, { 'user-agent': SAFARI_IPHONE });
    const laptop = await signIn(t.http, acme.slug, user.email, PASSWORD, { 'user-agent': CHROME_MAC });
    const res = await t.http.get('/v1/me/sessions', laptop);
    expect(res.status).toBe(200);
    expect(res.body.sessions).toHaveLength(3);
    const current = res.body.sessions.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({
      deviceType: 'desktop',
      browser: 'Chrome 131',
      os: 'macOS 10',
      ip: '127.0.0.1',
      aal: 1,
      amr: ['pwd'],
    });
    const mobile = res.body.sessions.find((s: { browser: string }) => s.browser?.startsWith('Mobile Safari'));
    expect(mobile).toMatchObject({ deviceType: 'mobile', os: 'iOS 17' });
    expect((await t.http.get('/v1/me', phone)).status).toBe(200);
  });

  it('fails a revoked session on its very next request', async () => {
    const user = await aUser(t.http, acme);
    const other = await signIn(t.http, acme.slug, user.email);
    const list = await t.http.get('/v1/me/sessions', user.token);
    const target = list.body.sessions.find((s: { current: boolean }) => !s.current);
    expect((await t.http.delete(`/v1/me/sessions/${target.id}`, user.token)).status).toBe(204);
    expect((await t.http.get('/v1/me', other)).status).toBe(401);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(200);
  });

  it('revokes every other session and reports how many', async () => {
    const user = await aUser(t.http, acme);
    const others = [await signIn(t.http, acme.slug, user.email), await signIn(t.http, acme.slug, user.email)];
    const res = await t.http.post('/v1/me/sessions/revoke-others', undefined, user.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: 2 });
    for (const token of others) expect((await t.http.get('/v1/me', token)).status).toBe(401);
    expect((await t.http.get('/v1/me/sessions', user.token)).body.sessions).toHaveLength(1);
  });

  it("treats another user's session id as not found", async () => {
    const alice = await aUser(t.http, acme);
    const bob = await aUser(t.http, acme);
    const bobs = (await t.http.get('/v1/me/sessions', bob.token)).body.sessions[0].id;
    const res = await t.http.delete(`/v1/me/sessions/${bobs}`, alice.token);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
    expect((await t.http.get('/v1/me', bob.token)).status).toBe(200);
  });

  it('logs out: the token stops working', async () => {
    const user = await aUser(t.http, acme);
    expect((await t.http.post('/v1/auth/logout', undefined, user.token)).status).toBe(204);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(401);
  });

  it('lets managers list and revoke a member’s sessions, and members neither', async () => {
    const manager = await aUser(t.http, acme, ['manager']);
    const member = await aUser(t.http, acme);
    const listed = await t.http.get(`/v1/admin/users/${member.id}/sessions`, manager.token);
    expect(listed.status).toBe(200);
    expect(listed.body.sessions).toHaveLength(1);
    expect(listed.body.sessions[0].current).toBe(false);
    expect((await t.http.get(`/v1/admin/users/${manager.id}/sessions`, member.token)).status).toBe(403);
    const sessionId = listed.body.sessions[0].id;
    expect((await t.http.delete(`/v1/admin/sessions/${sessionId}`, member.token)).status).toBe(403);
    expect((await t.http.delete(`/v1/admin/sessions/${sessionId}`, manager.token)).status).toBe(204);
    expect((await t.http.get('/v1/me', member.token)).status).toBe(401);
    expect((await t.http.delete(`/v1/admin/sessions/${sessionId}`, manager.token)).status).toBe(404);
  });

  it('keeps an admin’s sessions out of a manager’s reach, but not out of an admin’s or an admin-issued key’s', async () => {
    const manager = await aUser(t.http, acme, ['manager']);
    const otherAdmin = await aUser(t.http, acme, ['admin']);
    expect((await t.http.get(`/v1/admin/users/${otherAdmin.id}/sessions`, manager.token)).status).toBe(403);
    const sessions = (await t.http.get(`/v1/admin/users/${otherAdmin.id}/sessions`, acme.admin.token)).body.sessions;
    const denied = await t.http.delete(`/v1/admin/sessions/${sessions[0].id}`, manager.token);
    expect(denied.status).toBe(403);
    expect((await t.http.get('/v1/me', otherAdmin.token)).status).toBe(200);

    const key = (
      await t.http.post('/v1/admin/api-keys', { name: 'soc', scopes: ['sessions:manage'] }, acme.admin.token)
    ).body.key;
    expect((await t.http.get(`/v1/admin/users/${otherAdmin.id}/sessions`, key)).status).toBe(200);
    expect((await t.http.delete(`/v1/admin/sessions/${sessions[0].id}`, key)).status).toBe(204);
    expect((await t.http.get('/v1/me', otherAdmin.token)).status).toBe(401);
  });

  it('answers a repeated logout with 204', async () => {
    const user = await aUser(t.http, acme);
    const results = await Promise.all([1, 2, 3].map(() => t.http.post('/v1/auth/logout', undefined, user.token)));
    for (const res of results) expect([204, 401]).toContain(res.status);
    expect(results.filter((r) => r.status === 204).length).toBeGreaterThanOrEqual(1);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(401);
  });

  it('changing the password revokes every other session and keeps the current one', async () => {
    const user = await aUser(t.http, acme);
    const other = await signIn(t.http, acme.slug, user.email);
    const newPassword = 'a brand new passphrase';
    const wrong = await t.http.post('/v1/me/password', { currentPassword: 'not my password', newPassword }, user.token);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    const short = await t.http.post('/v1/me/password', { currentPassword: PASSWORD, newPassword: 'short' }, user.token);
    expect(short.status).toBe(400);
    expect(short.body.errors[0].field).toBe('newPassword');
    const ok = await t.http.post('/v1/me/password', { currentPassword: PASSWORD, newPassword }, user.token);
    expect(ok.status).toBe(204);
    expect((await t.http.get('/v1/me', other)).status).toBe(401);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(200);
    expect(
      (await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD })).status,
    ).toBe(401);
    expect(
      (await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: newPassword })).status,
    ).toBe(200);
  });

  it('expires a session after the idle timeout, measured from its last activity', async () => {
    const user = await aUser(t.http, acme);
    clock.advance(29 * 60_000);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(200);
    clock.advance(29 * 60_000);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(200);
    clock.advance(30 * 60_000 + 1);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(401);
  });

  it('expires a session at its absolute lifetime however active it is', async () => {
    const user = await aUser(t.http, acme);
    for (let i = 0; i < 20; i++) {
      clock.advance(29 * 60_000);
      expect((await t.http.get('/v1/me', user.token)).status).toBe(200);
    }
    clock.advance(21 * 60_000);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(401);
  });

  it('writes lastActiveAt at most once a minute', async () => {
    const user = await aUser(t.http, acme);
    const lastActive = async () =>
      (
        await t.sql('select last_active_at from sessions where user_id = $1', [user.id])
      )[0].last_active_at.toISOString();
    const created = await lastActive();
    clock.advance(59_000);
    await t.http.get('/v1/me', user.token);
    expect(await lastActive()).toBe(created);
    clock.advance(1_000);
    await t.http.get('/v1/me', user.token);
    expect(await lastActive()).toBe(clock.now().toISOString());
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { nextDisconnect, SocketPool } from '../support/sockets.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Security review 2, finding 2: the app a policy is enforced on comes from the app's key, never from
 * the login body, and the session is bound to it.
 */
describe('sessions bound to the app whose key opened them', () => {
  const clock = new ManualClock('2030-06-01T09:00:00Z');
  const sockets = new SocketPool();
  let t: TestApp;
  let acme: TenantFixture;
  let consoleKey: string;
  let clientKey: string;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
    const register = async (kind: string) => {
      const res = await t.http.post('/v1/admin/apps', { name: `${kind} app`, kind }, acme.admin.token);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ kind, key: expect.stringMatching(/^sga_/) });
      return res.body.key as string;
    };
    consoleKey = await register('console');
    clientKey = await register('client');
    // Members must have a factor now, but only in the console.
    await setMfaPolicy(t.http, acme, {
      requireMfa: true,
      requiredRoles: ['member'],
      gracePeriodDays: 0,
      enforceOn: ['console'],
    });
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t.close());

  const login = (email: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    t.http.request('POST', '/v1/auth/login', {
      body: { tenant: acme.slug, email, password: PASSWORD, ...extra },
      headers,
    });

  it('gives an overdue user no full session usable on the enforced app, whatever the login body says', async () => {
    const { email } = await aUser(t.http, acme);
    // No key: bound to no app, so held to the rules of every app.
    expect((await login(email)).body.status).toBe('mfa_enrollment_required');
    // The old way of choosing an app is gone.
    for (const app of ['client', 'console']) {
      const res = await login(email, { app });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect((await login(email, { appKey: consoleKey })).body.status).toBe('mfa_enrollment_required');
    expect((await login(email, {}, { 'x-stepguard-app-key': consoleKey })).body.status).toBe('mfa_enrollment_required');
    const forged = await login(email, { appKey: `sga_${'A'.repeat(43)}` });
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('invalid_app_key');
  });

  it('lets the client app sign the user in, and keeps that session out of the console', async () => {
    const admin = await aUser(t.http, acme, ['admin']);
    const res = await login(admin.email, {}, { 'x-stepguard-app-key': clientKey });
    expect(res.body.status).toBe('authenticated');
    const token = res.body.token as string;
    const me = await t.http.get('/v1/me', token);
    expect(me.body.session).toMatchObject({ app: 'client' });
    expect((await t.http.get('/v1/me/sessions', token)).status).toBe(200);
    await expect(sockets.connect(t.http.baseUrl, token)).resolves.toBeDefined();
    for (const [method, path, body] of [
      ['GET', '/v1/admin/users', undefined],
      ['POST', '/v1/admin/api-keys', { name: 'x', scopes: ['audit:read'] }],
      ['GET', '/v1/admin/mfa-policy', undefined],
    ] as const) {
      const refused = await t.http.request(method, path, { token, ...(body ? { body } : {}) });
      expect({ path, status: refused.status, code: refused.body.code }).toEqual({
        path,
        status: 403,
        code: 'wrong_app',
      });
    }
  });

  it('does not take another tenant’s app key', async () => {
    const globex = await aTenant(t.http);
    const { email } = await aUser(t.http, acme);
    const theirs = await t.http.post('/v1/admin/apps', { name: 'theirs', kind: 'client' }, globex.admin.token);
    const res = await login(email, { appKey: theirs.body.key });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_app_key');
  });

  it('stops signing anyone in through a removed app, and ends the sessions opened through it', async () => {
    const created = await t.http.post('/v1/admin/apps', { name: 'retired', kind: 'client' }, acme.admin.token);
    const listed = await t.http.get('/v1/admin/apps', acme.admin.token);
    expect(listed.body.apps.map((a: { id: string }) => a.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const { email } = await aUser(t.http, acme);
    const opened = (await login(email, { appKey: created.body.key })).body.token as string;
    const socket = await sockets.connect(t.http.baseUrl, opened);
    const closed = nextDisconnect(socket);
    const removed = await t.http.request('DELETE', `/v1/admin/apps/${created.body.id}`, { token: acme.admin.token });
    expect(removed.status).toBe(204);
    expect(await closed).toMatchObject({ event: 'stepguard:session_revoked', payload: { reason: 'app_removed' } });
    expect((await t.http.get('/v1/me', opened)).status).toBe(401);
    expect((await login(email, { appKey: created.body.key })).body.code).toBe('invalid_app_key');
    const [revoked] = await t.sql(
      `select actor_id, details from audit_events where action = 'SessionRevoked' and details->>'reason' = 'app_removed'`,
    );
    expect(revoked).toMatchObject({ actor_id: acme.admin.id, details: { reason: 'app_removed' } });
    expect(
      (await t.http.request('DELETE', `/v1/admin/apps/${created.body.id}`, { token: acme.admin.token })).status,
    ).toBe(404);
  });

  it('answers a malformed or another tenant’s app id on removal like a missing one, and removes nothing', async () => {
    const globex = await aTenant(t.http);
    const theirs = await t.http.post('/v1/admin/apps', { name: 'theirs', kind: 'client' }, globex.admin.token);
    const remove = (id: string) => t.http.request('DELETE', `/v1/admin/apps/${id}`, { token: acme.admin.token });
    const malformed = await remove('not-a-uuid');
    expect({ status: malformed.status, code: malformed.body.code }).toEqual({ status: 400, code: 'validation_failed' });
    const foreign = await remove(theirs.body.id);
    expect({ status: foreign.status, code: foreign.body.code }).toEqual({ status: 404, code: 'not_found' });
    expect(foreign.headers.get('content-type')).toContain('application/problem+json');
    const listed = await t.http.get('/v1/admin/apps', globex.admin.token);
    expect(listed.body.apps.map((a: { id: string }) => a.id)).toEqual([theirs.body.id]);
    const huge = await t.http.post('/v1/admin/apps', { name: 'x'.repeat(300_000), kind: 'client' }, acme.admin.token);
    expect(huge.status).toBe(413);
  });

  it('refuses app registration to members, malformed bodies, and admins past the re-auth window', async () => {
    const member = await aUser(t.http, acme);
    expect((await t.http.post('/v1/admin/apps', { name: 'x', kind: 'client' }, member.token)).status).toBe(403);
    for (const body of [
      {},
      { name: 'x', kind: 'tv' },
      { name: '', kind: 'client' },
      { name: 'x', kind: 'client', y: 1 },
    ]) {
      const res = await t.http.post('/v1/admin/apps', body, acme.admin.token);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'validation_failed' });
    }
    const admin = await signIn(t.http, acme.slug, acme.admin.email);
    clock.advance(11 * 60_000);
    const stale = await t.http.post('/v1/admin/apps', { name: 'late', kind: 'client' }, admin);
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('reauth_required');
  });
});

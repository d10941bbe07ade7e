import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Invariant 5: another tenant's ids look exactly like ids that do not exist. */
describe('tenant isolation', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;
  let acmeMember: { id: string; token: string };
  let acmeSessionId: string;
  let globexKey: string;

  beforeAll(async () => {
    t = await startTestApp();
    [acme, globex] = await Promise.all([aTenant(t.http), aTenant(t.http)]);
    acmeMember = await aUser(t.http, acme);
    acmeSessionId = (await t.http.get('/v1/me/sessions', acmeMember.token)).body.sessions[0].id;
    globexKey = (
      await t.http.post(
        '/v1/admin/api-keys',
        { name: 'siem', scopes: ['users:read', 'sessions:manage', 'audit:read'] },
        globex.admin.token,
      )
    ).body.key;
  });
  afterAll(() => t.close());

  const missingUser = '00000000-0000-4000-8000-000000000000';
  const routes = (userId: string, sessionId: string) =>
    [
      ['GET', `/v1/admin/users/${userId}`, undefined],
      ['PATCH', `/v1/admin/users/${userId}`, { roles: ['admin'] }],
      ['GET', `/v1/admin/users/${userId}/sessions`, undefined],
      ['DELETE', `/v1/admin/sessions/${sessionId}`, undefined],
    ] as const;

  it('answers every admin route with 404 for another tenant’s ids, exactly as for unknown ids', async () => {
    for (const token of [globex.admin.token, globexKey]) {
      const foreign = routes(acmeMember.id, acmeSessionId);
      const unknown = routes(missingUser, missingUser);
      for (let i = 0; i < foreign.length; i++) {
        const [method, path, body] = foreign[i]!;
        if (method === 'PATCH' && token === globexKey) continue; // API keys cannot change roles at all (403)
        const a = await t.http.request(method, path, { token, body });
        const b = await t.http.request(unknown[i]![0], unknown[i]![1], { token, body: unknown[i]![2] });
        expect({ path, status: a.status }).toEqual({ path, status: 404 });
        expect(a.body.code).toBe('not_found');
        expect(a.body.detail).toBe(b.body.detail);
      }
    }
  });

  it('leaves the other tenant’s data untouched', async () => {
    expect((await t.http.get('/v1/me', acmeMember.token)).status).toBe(200);
    const me = await t.http.get('/v1/me', acmeMember.token);
    expect(me.body.roles).toEqual(['member']);
  });

  it('never lists another tenant’s users', async () => {
    const listed = await t.http.get('/v1/admin/users?limit=200', globex.admin.token);
    expect(listed.status).toBe(200);
    const ids = listed.body.users.map((u: { id: string }) => u.id);
    expect(ids).toContain(globex.admin.id);
    expect(ids).not.toContain(acmeMember.id);
    expect(ids).not.toContain(acme.admin.id);
  });

  it('keeps e-mail addresses per tenant: the same address may exist in both', async () => {
    const email = 'shared@example.com';
    expect((await t.http.post('/v1/admin/users', { email, roles: ['member'] }, acme.admin.token)).status).toBe(201);
    expect((await t.http.post('/v1/admin/users', { email, roles: ['member'] }, globex.admin.token)).status).toBe(201);
    const again = await t.http.post(
      '/v1/admin/users',
      { email: 'Shared@Example.com', roles: ['member'] },
      acme.admin.token,
    );
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('tenants, users and API keys', () => {
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp();
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const tenantBody = (slug: string) => ({
    slug,
    name: 'Initech',
    admin: { email: `root@${slug}.example`, password: PASSWORD },
  });

  it('creates a tenant with its admin only for the operator', async () => {
    expect((await t.http.post('/v1/tenants', tenantBody('initech'))).status).toBe(401);
    expect(
      (await t.http.post('/v1/tenants', tenantBody('initech'), 'wrong-operator-token-0123456789abcdef')).status,
    ).toBe(401);
    expect((await t.http.post('/v1/tenants', tenantBody('initech'), acme.admin.token)).status).toBe(401);
    const res = await t.http.post('/v1/tenants', tenantBody('initech'), t.operatorToken);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      tenant: { id: expect.any(String), slug: 'initech', name: 'Initech' },
      admin: { id: expect.any(String), email: 'root@initech.example' },
    });
  });

  it('answers a taken slug with 409 conflict, even when two creations race', async () => {
    const results = await Promise.all(
      [1, 2, 3].map(() => t.http.post('/v1/tenants', tenantBody('hooli'), t.operatorToken)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe('conflict');
  });

  it('stores passwords as argon2id and session tokens only as SHA-256 hashes', async () => {
    const user = await aUser(t.http, acme);
    const rows = await t.sql('select password_hash from users where id = $1', [user.id]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    const sessions = await t.sql('select token_hash from sessions where user_id = $1', [user.id]);
    const sha = createHash('sha256').update(user.token).digest('hex');
    expect(sessions.map((r) => r.token_hash)).toEqual([sha]);
    const dump = JSON.stringify(await t.sql('select * from sessions'));
    expect(dump).not.toContain(user.token.slice(4));
  });

  it('changes roles, and never removes the last admin', async () => {
    const user = await aUser(t.http, acme);
    const promoted = await t.http.patch(`/v1/admin/users/${user.id}`, { roles: ['manager'] }, acme.admin.token);
    expect(promoted.status).toBe(200);
    expect(promoted.body.roles).toEqual(['manager']);
    const demoteLast = await t.http.patch(`/v1/admin/users/${acme.admin.id}`, { roles: ['member'] }, acme.admin.token);
    expect(demoteLast.status).toBe(409);
    expect((await t.http.patch(`/v1/admin/users/${user.id}`, { roles: ['admin'] }, user.token)).status).toBe(403);
  });

  it('keeps one admin when two admins demote each other at once, without a deadlock', async () => {
    const tenant = await aTenant(t.http);
    const second = await aUser(t.http, tenant, ['admin']);
    const results = await Promise.all([
      t.http.patch(`/v1/admin/users/${second.id}`, { roles: ['member'] }, tenant.admin.token),
      t.http.patch(`/v1/admin/users/${tenant.admin.id}`, { roles: ['member'] }, second.token),
    ]);
    // 409 from the lock-protected check; 403 if the second request was authorised after its sender's demotion.
    const [winner, loser] = results.map((r) => r.status).sort();
    expect(winner).toBe(200);
    expect([403, 409]).toContain(loser);
    const users = (await t.http.get('/v1/admin/users', results[0]!.status === 200 ? tenant.admin.token : second.token))
      .body.users as { roles: string[] }[];
    expect(users.filter((u) => u.roles.includes('admin'))).toHaveLength(1);
  });

  it('records no change when the roles are already those asked for', async () => {
    const user = await aUser(t.http, acme, ['manager']);
    const count = async () =>
      (
        await t.sql(
          `select count(*)::int as n from audit_events where action = 'UserRolesChanged' and target_id = $1`,
          [user.id],
        )
      )[0].n;
    expect((await t.http.patch(`/v1/admin/users/${user.id}`, { roles: ['manager'] }, acme.admin.token)).status).toBe(
      200,
    );
    expect(await count()).toBe(0);
    expect((await t.http.patch(`/v1/admin/users/${user.id}`, { roles: ['member'] }, acme.admin.token)).status).toBe(
      200,
    );
    expect(await count()).toBe(1);
  });

  it('pages users with a cursor', async () => {
    for (let i = 0; i < 3; i++)
      await t.http.post('/v1/admin/users', { email: `page${i}@acme.example`, roles: ['member'] }, acme.admin.token);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { users: { id: string }[]; nextCursor: string | null } } = await t.http.get(
        `/v1/admin/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        acme.admin.token,
      );
      expect(page.status).toBe(200);
      expect(page.body.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.users.map((u) => u.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });

  it('issues scoped API keys shown once, which act within their scopes only', async () => {
    const created = await t.http.post('/v1/admin/api-keys', { name: 'siem', scopes: ['users:read'] }, acme.admin.token);
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sgk_[A-Za-z0-9_-]{43}$/);
    const key = created.body.key as string;
    expect((await t.http.get('/v1/admin/users', key)).status).toBe(200);
    expect((await t.http.get(`/v1/admin/users/${acme.admin.id}/sessions`, key)).status).toBe(403);
    expect((await t.http.post('/v1/admin/users', { email: 'x@acme.example', roles: ['admin'] }, key)).status).toBe(403);
    expect((await t.http.get('/v1/me', key)).status).toBe(403);
    expect(
      (await t.http.post('/v1/admin/api-keys', { name: 'x', scopes: ['everything'] }, acme.admin.token)).status,
    ).toBe(400);
  });

  it('lists live keys without the key itself, and a revoked key fails on its next request', async () => {
    const key = (
      await t.http.post('/v1/admin/api-keys', { name: 'to-revoke', scopes: ['users:read'] }, acme.admin.token)
    ).body;
    expect((await t.http.get('/v1/admin/users', key.key)).status).toBe(200);
    const listed = await t.http.get('/v1/admin/api-keys', acme.admin.token);
    expect(listed.status).toBe(200);
    const entry = listed.body.apiKeys.find((k: { id: string }) => k.id === key.id);
    expect(entry).toMatchObject({ name: 'to-revoke', scopes: ['users:read'], lastUsedAt: expect.any(String) });
    expect(JSON.stringify(listed.body)).not.toContain(key.key.slice(4));
    expect((await t.http.delete(`/v1/admin/api-keys/${key.id}`, acme.admin.token)).status).toBe(204);
    expect((await t.http.get('/v1/admin/users', key.key)).status).toBe(401);
    expect((await t.http.delete(`/v1/admin/api-keys/${key.id}`, acme.admin.token)).status).toBe(404);
    const other = await aTenant(t.http);
    const foreign = (
      await t.http.post('/v1/admin/api-keys', { name: 'theirs', scopes: ['users:read'] }, other.admin.token)
    ).body;
    expect((await t.http.delete(`/v1/admin/api-keys/${foreign.id}`, acme.admin.token)).status).toBe(404);
    expect((await t.http.get('/v1/admin/users', foreign.key)).status).toBe(200);
  });

  it('does not let a member create users or keys', async () => {
    const member = await aUser(t.http, acme);
    const res = await t.http.post('/v1/admin/users', { email: 'y@acme.example', roles: ['admin'] }, member.token);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
    expect((await t.http.post('/v1/admin/api-keys', { name: 'x', scopes: ['users:read'] }, member.token)).status).toBe(
      403,
    );
  });
});

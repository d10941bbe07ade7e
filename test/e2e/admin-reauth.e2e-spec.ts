import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, signIn, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MINUTE = 60_000;

/** Minting a credential or granting power over others needs a sign-in within the tenant's re-auth window. */
describe('admin actions that grant power', () => {
  const clock = new ManualClock('2030-09-01T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const createKey = (token: string) =>
    t.http.post('/v1/admin/api-keys', { name: 'siem', scopes: ['tenant:manage', 'audit:read'] }, token);
  const createUser = (token: string, roles: string[]) =>
    t.http.post('/v1/admin/users', { email: `${roles[0]}-${Date.now()}@${acme.slug}.example`, roles }, token);
  const setRoles = (token: string, userId: string, roles: string[]) =>
    t.http.patch(`/v1/admin/users/${userId}`, { roles }, token);
  const refusals = (action: string) =>
    t.sql<{ details: Record<string, unknown> }>(
      `select details from audit_events where tenant_id = $1 and action = $2 and outcome = 'failure'`,
      [acme.id, action],
    );
  const expectReauth = (res: { status: number; body: { code?: string } }) =>
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'reauth_required' });

  it('refuses to create an API key from a session past the re-auth window, and audits the refusal', async () => {
    clock.advance(11 * MINUTE);
    expectReauth(await createKey(acme.admin.token));
    expect((await t.http.get('/v1/admin/api-keys', acme.admin.token)).body.apiKeys).toEqual([]);
    expect((await refusals('ApiKeyCreated')).map((e) => e.details.code)).toEqual(['reauth_required']);
    expect((await createKey(await signIn(t.http, acme.slug, acme.admin.email))).status).toBe(201);
  });

  it('refuses to create an admin or a manager from a stale session; a member still can be', async () => {
    clock.advance(11 * MINUTE);
    expectReauth(await createUser(acme.admin.token, ['admin']));
    expectReauth(await createUser(acme.admin.token, ['member', 'manager']));
    expect((await createUser(acme.admin.token, ['member'])).status).toBe(201);
    expect((await refusals('UserCreated')).map((e) => e.details.code)).toEqual(['reauth_required', 'reauth_required']);
    expect((await createUser(await signIn(t.http, acme.slug, acme.admin.email), ['admin'])).status).toBe(201);
  });

  it('refuses to promote anyone to admin or manager from a stale session; taking power away still works', async () => {
    const member = await aUser(t.http, acme);
    const manager = await aUser(t.http, acme, ['manager']);
    clock.advance(11 * MINUTE);
    expectReauth(await setRoles(acme.admin.token, member.id, ['admin']));
    expectReauth(await setRoles(acme.admin.token, member.id, ['member', 'manager']));
    expectReauth(await setRoles(acme.admin.token, manager.id, ['manager', 'admin']));
    expect((await t.http.get(`/v1/admin/users/${member.id}`, acme.admin.token)).body.roles).toEqual(['member']);
    expect((await setRoles(acme.admin.token, manager.id, ['member'])).status).toBe(200);
    const fresh = await signIn(t.http, acme.slug, acme.admin.email);
    expect((await setRoles(fresh, member.id, ['admin'])).body.roles).toEqual(['admin']);
  });

  it('holds them to the window of the tenant’s policy', async () => {
    await setMfaPolicy(t.http, acme, { reauthMaxAgeMinutes: 30 });
    const token = await signIn(t.http, acme.slug, acme.admin.email);
    clock.advance(20 * MINUTE);
    expect((await createKey(token)).status).toBe(201);
    clock.advance(11 * MINUTE);
    expectReauth(await createKey(token));
  });

  it('never lets an API key mint keys or grant roles: it is no session and cannot re-authenticate (403)', async () => {
    const key = (await createKey(acme.admin.token)).body.key as string;
    const member = await aUser(t.http, acme);
    expect((await createKey(key)).status).toBe(403);
    expect((await createUser(key, ['admin'])).status).toBe(403);
    expect((await setRoles(key, member.id, ['admin'])).status).toBe(403);
  });
});

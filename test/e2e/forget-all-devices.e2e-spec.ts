import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const DAY = 24 * 60 * 60_000;

describe('forgetting every device of the tenant', () => {
  const clock = new ManualClock('2030-10-01T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  // The admins here have no factor of their own: their password is the whole confirmation.
  const forget = (token = acme.admin.token) =>
    t.http.post('/v1/admin/mfa/forget-all-devices', { password: PASSWORD }, token);
  const count = async (table: string, tenantId = acme.id) =>
    (await t.sql<{ n: number }>(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenantId]))[0]!.n;

  it('removes every factor, backup code and remembered device, reports the count, and audits it', async () => {
    const ada = await aUserWithTotp(t.http, acme, clock);
    const bob = await aUserWithTotp(t.http, acme, clock);
    const other = await aTenant(t.http);
    await aUserWithTotp(t.http, other, clock);
    const res = await forget(await signIn(t.http, acme.slug, acme.admin.email));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ factorsRemoved: 2 });
    expect([await count('factors'), await count('backup_codes'), await count('remembered_devices')]).toEqual([0, 0, 0]);
    expect([await count('factors', other.id), await count('backup_codes', other.id)]).toEqual([1, 10]);
    for (const user of [ada, bob]) {
      const login = await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD });
      expect(login.body.status).toBe('authenticated');
    }
    const [entry] = await t.sql(
      `select actor_id, details from audit_events where tenant_id = $1 and action = 'AllDevicesForgotten'`,
      [acme.id],
    );
    expect(entry).toMatchObject({
      actor_id: acme.admin.id,
      details: { factorsRemoved: 2, usersAffected: 2, backupCodesDeleted: 20 },
    });
  });

  it('starts a new grace period for everyone the policy covers', async () => {
    const member = await aUserWithTotp(t.http, acme, clock);
    await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 3 });
    clock.advance(5 * DAY);
    const forgotAt = clock.now().getTime();
    expect((await forget(await signIn(t.http, acme.slug, acme.admin.email))).status).toBe(200);
    const login = await t.http.post('/v1/auth/login', { tenant: acme.slug, email: member.email, password: PASSWORD });
    expect(login.body).toMatchObject({
      status: 'authenticated',
      mfa: { enrollmentDeadline: new Date(forgotAt + 3 * DAY).toISOString() },
    });
  });

  it('needs the admin’s password and a current code of their authenticator app', async () => {
    await aUserWithTotp(t.http, acme, clock);
    const { factorId, secret } = await enrolTotp(t.http, acme.admin.token);
    expect((await verifyFactor(t.http, acme.admin.token, factorId, totpCodeAt(secret, clock))).status).toBe(200);
    clock.advance(30_000);
    // A code is proof only in a session opened after its factor existed: the admin signs in with it.
    const token = await signInWithTotp(t.http, acme, { email: acme.admin.email, secret }, clock);
    const post = (body: object) => t.http.post('/v1/admin/mfa/forget-all-devices', body, token);
    const code = totpCodeAt(secret, clock);
    const bare = await post({});
    expect({ status: bare.status, code: bare.body.code }).toEqual({ status: 401, code: 'reauth_required' });
    expect((await post({ password: PASSWORD })).body.code).toBe('reauth_required');
    expect((await post({ password: 'not it', code })).body.code).toBe('invalid_credentials');
    expect((await post({ password: PASSWORD, code: '000000' })).body.code).toBe('mfa_code_invalid');
    expect(await count('factors')).toBe(2);
    const done = await post({ password: PASSWORD, code });
    expect(done.body).toEqual({ factorsRemoved: 2 });
    const [entry] = await t.sql(
      `select details from audit_events where tenant_id = $1 and action = 'AllDevicesForgotten' and outcome = 'success'`,
      [acme.id],
    );
    expect(entry.details.confirmedWith).toEqual(['password', 'totp']);
  });

  it('needs a recent re-auth and the tenant:manage permission', async () => {
    clock.advance(11 * 60_000);
    const stale = await forget();
    expect({ status: stale.status, code: stale.body.code }).toEqual({ status: 401, code: 'reauth_required' });
    const member = await aUser(t.http, acme);
    expect((await forget(member.token)).status).toBe(403);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { DEFAULT_POLICY } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const MINUTE = 60_000;
const DEFAULTS = DEFAULT_POLICY;
/** A longer re-auth window lowers protection: confirmed with the password (these admins have no factor). */
const CONFIRMED = { confirmation: { password: PASSWORD } };

describe('the tenant MFA policy', () => {
  const clock = new ManualClock('2030-07-01T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const read = (token = acme.admin.token) => t.http.get('/v1/admin/mfa-policy', token);
  const save = (body: object, token = acme.admin.token) => t.http.put('/v1/admin/mfa-policy', body, token);
  const audited = () =>
    t.sql<{ outcome: string; details: Record<string, any> }>(
      `select outcome, details from audit_events where tenant_id = $1 and action = 'PolicyChanged' order by seq`,
      [acme.id],
    );

  it('answers the defaults as version 0 until a policy is saved', async () => {
    const res = await read();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...DEFAULTS, version: 0, updatedAt: null, updatedBy: null });
  });

  it('saves every change as a new version, keeps the old ones readable, and audits the diff', async () => {
    const first = await save({ ...DEFAULTS, gracePeriodDays: 7, requiredRoles: ['member'] });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ gracePeriodDays: 7, requiredRoles: ['member'], version: 1 });
    expect(first.body.updatedBy).toEqual({ type: 'user', id: acme.admin.id });
    clock.advance(MINUTE);
    const second = await save({ ...first.body, rememberDeviceDays: 0 });
    expect(second.body).toMatchObject({ rememberDeviceDays: 0, gracePeriodDays: 7, version: 2 });
    expect((await read()).body).toEqual(second.body);

    const v1 = await t.http.get('/v1/admin/mfa-policy/versions/1', acme.admin.token);
    expect(v1.body).toEqual(first.body);
    const page = await t.http.get('/v1/admin/mfa-policy/versions?limit=1', acme.admin.token);
    expect(page.body.versions.map((v: { version: number }) => v.version)).toEqual([2]);
    const next = await t.http.get(
      `/v1/admin/mfa-policy/versions?limit=1&before=${page.body.nextCursor}`,
      acme.admin.token,
    );
    expect(next.body).toEqual({ versions: [first.body], nextCursor: null });

    expect((await audited()).map((e) => e.details)).toEqual([
      {
        version: 1,
        previousVersion: 0,
        changes: { gracePeriodDays: { from: 14, to: 7 }, requiredRoles: { from: [], to: ['member'] } },
        scope: { entered: 0, left: 0 },
      },
      {
        version: 2,
        previousVersion: 1,
        changes: { rememberDeviceDays: { from: 30, to: 0 } },
        scope: { entered: 0, left: 0 },
      },
    ]);
  });

  it('adds no version and no audit entry when the settings are the ones in force', async () => {
    await save({ ...DEFAULTS, gracePeriodDays: 3 });
    const again = await save({ ...DEFAULTS, gracePeriodDays: 3, enforceOn: ['client', 'console'] });
    expect(again.body.version).toBe(1);
    expect(await audited()).toHaveLength(1);
  });

  it('refuses a save on top of a version it did not read with 409', async () => {
    const read0 = (await read()).body;
    expect((await save({ ...read0, gracePeriodDays: 1 })).status).toBe(200);
    const stale = await save({ ...read0, gracePeriodDays: 2 });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('conflict');
    expect((await read()).body.gracePeriodDays).toBe(1);
  });

  it('will not let an admin without MFA require it of themselves (403 admin_mfa_required)', async () => {
    const refused = await save({ ...DEFAULTS, requireMfa: true });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('admin_mfa_required');
    expect((await save({ ...DEFAULTS, requireMfa: true, requiredRoles: ['member'] })).status).toBe(200);

    const { factorId, secret } = await enrolTotp(t.http, acme.admin.token);
    const verified = await verifyFactor(t.http, acme.admin.token, factorId, totpCodeAt(secret, clock));
    expect(verified.status).toBe(200);
    acme.admin.token = verified.body.token;
    const emailOnly = await save({ ...DEFAULTS, requireMfa: true, allowedMethods: ['email'] });
    expect(emailOnly.body.code).toBe('admin_mfa_required');
    const ok = await save({ ...DEFAULTS, requireMfa: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ requireMfa: true, requiredRoles: [], version: 2 });
    expect((await audited()).map((e) => [e.outcome, e.details.code])).toEqual([
      ['failure', 'admin_mfa_required'],
      ['success', undefined],
      ['failure', 'admin_mfa_required'],
      ['success', undefined],
    ]);
  });

  it('turns MFA off only with the admin’s password and a current code, recording the policy it replaced', async () => {
    const { factorId, secret } = await enrolTotp(t.http, acme.admin.token);
    expect((await verifyFactor(t.http, acme.admin.token, factorId, totpCodeAt(secret, clock))).status).toBe(200);
    clock.advance(30_000);
    // A code confirms only from a session opened after its factor existed: the admin signs in with it.
    acme.admin.token = await signInWithTotp(t.http, acme, { email: acme.admin.email, secret }, clock);
    const on = (await save({ ...DEFAULTS, requireMfa: true })).body;
    clock.advance(30_000);
    const code = totpCodeAt(secret, clock);
    const off = { ...on, requireMfa: false };
    const bare = await save(off);
    expect({ status: bare.status, code: bare.body.code }).toEqual({ status: 401, code: 'reauth_required' });
    const wrongPassword = await save({ ...off, confirmation: { password: 'not the password', code } });
    expect(wrongPassword.body.code).toBe('invalid_credentials');
    const wrongCode = await save({ ...off, confirmation: { password: PASSWORD, code: '000000' } });
    expect(wrongCode.body.code).toBe('mfa_code_invalid');
    const done = await save({ ...off, confirmation: { password: PASSWORD, code } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ requireMfa: false, version: 2 });
    const replay = await save({ ...on, version: 2 });
    expect(replay.status).toBe(200);
    const again = await save({ ...replay.body, requireMfa: false, confirmation: { password: PASSWORD, code } });
    expect(again.body.code).toBe('mfa_code_invalid');
    const entries = (await audited()).filter((e) => e.outcome === 'success');
    expect(entries[1]!.details.previousPolicy).toEqual({ ...DEFAULTS, requireMfa: true });
    expect(JSON.stringify(await audited())).not.toContain(PASSWORD);
  });

  it('needs a recent re-auth to save, with the window of the policy in force', async () => {
    clock.advance(11 * MINUTE);
    const stale = await save({ ...DEFAULTS, reauthMaxAgeMinutes: 60, ...CONFIRMED });
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('reauth_required');
    const fresh = await signIn(t.http, acme.slug, acme.admin.email);
    expect((await save({ ...DEFAULTS, reauthMaxAgeMinutes: 60, ...CONFIRMED }, fresh)).status).toBe(200);
    clock.advance(30 * MINUTE);
    expect((await save({ ...DEFAULTS, reauthMaxAgeMinutes: 60, gracePeriodDays: 1 }, fresh)).status).toBe(200);
  });

  it('applies its re-auth window to the other sensitive changes', async () => {
    const user = await aUser(t.http, acme);
    const change = () =>
      t.http.post('/v1/me/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' }, user.token);
    await save({ ...DEFAULTS, reauthMaxAgeMinutes: 30, ...CONFIRMED });
    clock.advance(20 * MINUTE);
    expect((await change()).status).toBe(204);
  });

  it('is for admins only: members 403, API keys 403, no token 401', async () => {
    const member = await aUser(t.http, acme);
    expect((await read(member.token)).status).toBe(403);
    expect((await save(DEFAULTS, member.token)).status).toBe(403);
    const key = await t.http.post('/v1/admin/api-keys', { name: 'siem', scopes: ['tenant:manage'] }, acme.admin.token);
    expect((await read(key.body.key)).status).toBe(403);
    expect((await t.http.get('/v1/admin/mfa-policy')).status).toBe(401);
  });

  it("keeps each tenant's policy its own: another tenant's versions are not found", async () => {
    await save({ ...DEFAULTS, gracePeriodDays: 5 });
    const other = await aTenant(t.http);
    expect((await read(other.admin.token)).body).toMatchObject({ gracePeriodDays: 14, version: 0 });
    expect((await t.http.get('/v1/admin/mfa-policy/versions/1', other.admin.token)).status).toBe(404);
    expect((await t.http.get('/v1/admin/mfa-policy/versions', other.admin.token)).body).toEqual({
      versions: [],
      nextCursor: null,
    });
  });

  it.each([
    ['an unknown field', { ...DEFAULTS, mfaEverywhere: true }, 'mfaEverywhere'],
    ['a grace period over 90 days', { ...DEFAULTS, gracePeriodDays: 91 }, 'gracePeriodDays'],
    ['a repeated role', { ...DEFAULTS, requiredRoles: ['member', 'member'] }, 'requiredRoles'],
    ['no allowed method', { ...DEFAULTS, allowedMethods: [] }, 'allowedMethods'],
    ['an unknown method', { ...DEFAULTS, allowedMethods: ['sms'] }, 'allowedMethods.0'],
    ['a missing field', { ...DEFAULTS, rememberDeviceDays: undefined }, 'rememberDeviceDays'],
    ['a fractional number', { ...DEFAULTS, reauthMaxAgeMinutes: 1.5 }, 'reauthMaxAgeMinutes'],
  ])('refuses %s with 400 naming the field, and saves nothing', async (_what, body, field) => {
    const res = await save(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await read()).body.version).toBe(0);
  });

  it('answers 400 for a malformed version and 404 for one never saved', async () => {
    expect((await t.http.get('/v1/admin/mfa-policy/versions/abc', acme.admin.token)).status).toBe(400);
    expect((await t.http.get('/v1/admin/mfa-policy/versions/7', acme.admin.token)).status).toBe(404);
    expect((await t.http.get('/v1/admin/mfa-policy/versions/0', acme.admin.token)).body.version).toBe(0);
  });
});

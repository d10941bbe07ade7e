import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../../src/common/clock.js';
import { launchBrowser } from '../support/browser.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { PasskeyDevice, startPasskeyApp } from '../support/passkeys.js';
import type { TestApp } from '../support/test-app.js';
import { addAuthenticator, signInWithTotp, totpCodeAt } from '../support/totp.js';

/**
 * `phishingResistantRoles` through the API: a role held to passkeys counts as enrolled only with one, and
 * its sign-in offers passkeys alone; other roles keep their codes; a policy without passkeys counts none.
 */
describe('passkey-only roles (phishingResistantRoles)', () => {
  const clock = new ManualClock('2030-06-01T09:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  let browser: Browser;
  let editor: { token: string; secret: string };
  const devices: PasskeyDevice[] = [];

  const aDevice = async () => {
    const device = await PasskeyDevice.open(browser, t.config.publicUrl);
    devices.push(device);
    return device;
  };

  /** Registers a passkey on `device` for the session's user (who verified a factor in it, or has none). */
  async function addPasskey(token: string, device: PasskeyDevice) {
    const started = await t.http.post('/v1/me/factors/webauthn', { label: 'Laptop' }, token);
    expect(started.status).toBe(201);
    const credential = await device.register(started.body.options);
    const verified = await t.http.post(`/v1/me/factors/${started.body.factorId}/verify`, { credential }, token);
    expect(verified.status).toBe(200);
    return verified.body.token as string;
  }

  /** The policy saved by the tenant's admin, confirmed with their password and a current code. */
  async function savePolicy(changes: Record<string, unknown>) {
    const current = await t.http.get('/v1/admin/mfa-policy', editor.token);
    clock.advance(30_000);
    const saved = await t.http.request('PUT', '/v1/admin/mfa-policy', {
      token: editor.token,
      body: {
        ...current.body,
        ...changes,
        confirmation: { password: PASSWORD, code: totpCodeAt(editor.secret, clock) },
      },
    });
    expect(saved.status).toBe(200);
    return saved.body;
  }

  const login = (email: string) => t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });

  beforeAll(async () => {
    t = await startPasskeyApp(clock);
    acme = await aTenant(t.http);
    browser = await launchBrowser();
    // The editor holds an authenticator (to confirm weaker policies) and a passkey (to comply with them).
    const withTotp = await addAuthenticator(t.http, acme.admin.token, clock);
    const fresh = await signInWithTotp(t.http, acme, { email: acme.admin.email, secret: withTotp.secret }, clock);
    editor = { token: await addPasskey(fresh, await aDevice()), secret: withTotp.secret };
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it('finds an admin with only an authenticator app not enrolled, a manager with one enrolled', async () => {
    const admin = await aUser(t.http, acme, ['admin']);
    const adminTotp = await addAuthenticator(t.http, admin.token, clock);
    const manager = await aUser(t.http, acme, ['manager']);
    const managerTotp = await addAuthenticator(t.http, manager.token, clock);
    const policy = await savePolicy({ requireMfa: true, requiredRoles: [], phishingResistantRoles: ['admin'] });
    expect(policy.settings ?? policy).toMatchObject({ phishingResistantRoles: ['admin'] });

    const adminMe = await t.http.get('/v1/me', adminTotp.token);
    expect(adminMe.body.mfa.status).toMatch(/^(grace|overdue)$/);
    const managerMe = await t.http.get('/v1/me', managerTotp.token);
    expect(managerMe.body.mfa.status).toBe('compliant');

    // Their code no longer counts: no challenge offers it, and the sign-in is the one of a user without a factor.
    const signIn = await login(admin.email);
    expect(signIn.body.status).not.toBe('mfa_required');
    const managerSignIn = await login(manager.email);
    expect(managerSignIn.body).toMatchObject({ status: 'mfa_required' });
    expect(managerSignIn.body.methods).toEqual(expect.arrayContaining(['totp', 'backup_code']));

    const listed = await t.http.get(`/v1/admin/users/${admin.id}`, editor.token);
    if (listed.status === 200) expect(listed.body.mfa).toMatchObject({ enrolled: false });
  });

  it('offers an admin with a passkey only the passkey at sign-in (no code, no backup code), and counts it', async () => {
    const admin = await aUser(t.http, acme, ['admin']);
    const withTotp = await addAuthenticator(t.http, admin.token, clock);
    // In force already: the admin's code proves nothing, so adding the passkey needs a fresh sign-in (it is).
    const device = await aDevice();
    const token = await addPasskey(withTotp.token, device);
    expect((await t.http.get('/v1/me', token)).body.mfa.status).toBe('compliant');

    const challenge = await login(admin.email);
    expect(challenge.body).toMatchObject({ status: 'mfa_required', methods: ['webauthn'] });
    const totp = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(withTotp.secret, clock),
    });
    expect(totp.status).toBe(401);
  });

  it('counts and offers no passkey once passkeys are no longer allowed', async () => {
    await savePolicy({ phishingResistantRoles: [], allowedMethods: ['totp', 'email'] });
    const member = await aUser(t.http, acme, ['member']);
    const token = await addPasskey(member.token, await aDevice());
    expect((await t.http.get('/v1/me', token)).body.mfa.status).toMatch(/^(grace|overdue)$/);
    const signIn = await login(member.email);
    expect(signIn.body.status).not.toBe('mfa_required');
  });

  it('refuses a policy that holds roles to passkeys without allowing them', async () => {
    const current = await t.http.get('/v1/admin/mfa-policy', editor.token);
    const saved = await t.http.request('PUT', '/v1/admin/mfa-policy', {
      token: editor.token,
      body: { ...current.body, phishingResistantRoles: ['admin'], allowedMethods: ['totp'] },
    });
    expect(saved.status).toBe(400);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../../src/common/clock.js';
import { launchBrowser } from '../support/browser.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { PasskeyDevice, startPasskeyApp } from '../support/passkeys.js';
import type { TestApp } from '../support/test-app.js';
import { addAuthenticator, signInWithTotp, totpCodeAt } from '../support/totp.js';

const STEP = 30_000;
const DAY = 24 * 60 * 60_000;

/**
 * `phishingResistantRoles` through the API: a role held to passkeys counts as enrolled only with one and,
 * once it has one, is offered passkeys alone; until then its codes still guard its sign-in (a password
 * alone never opens the account, nor adds a passkey), and past its deadline they open only the set-up.
 */
describe('roles held to passkeys (phishingResistantRoles)', () => {
  const clock = new ManualClock('2030-06-01T09:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  let browser: Browser;
  /** The tenant's admin: an authenticator app and a passkey (on this device). */
  let editor: { device: PasskeyDevice; secret: string };

  const login = (email: string) => t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });
  const answer = (challengeId: string, body: object) => t.http.post(`/v1/auth/challenges/${challengeId}/verify`, body);

  /** Registers a passkey on `device` for the session's user; the session's token afterwards. */
  async function addPasskey(token: string, device: PasskeyDevice): Promise<string> {
    const started = await t.http.post('/v1/me/factors/webauthn', { label: 'Laptop' }, token);
    expect(started.status).toBe(201);
    const credential = await device.register(started.body.options);
    const verified = await t.http.post(`/v1/me/factors/${started.body.factorId}/verify`, { credential }, token);
    expect(verified.status).toBe(200);
    clock.advance(STEP);
    return (verified.body.token as string | undefined) ?? token;
  }

  /** The password, then whatever the challenge offers first, answered with the passkey or a code. */
  async function signIn(email: string, with_: { device?: PasskeyDevice; secret?: string }) {
    const challenge = await login(email);
    expect(challenge.body.status).toBe('mfa_required');
    const { challengeId, methods } = challenge.body;
    if (methods[0] === 'webauthn' && with_.device) {
      const prompt = await t.http.post(`/v1/auth/challenges/${challengeId}/webauthn`, {});
      const credential = await with_.device.sign(prompt.body.options);
      return { methods, result: await answer(challengeId, { method: 'webauthn', credential }) };
    }
    const result = await answer(challengeId, { method: 'totp', code: totpCodeAt(with_.secret!, clock) });
    clock.advance(STEP);
    return { methods, result };
  }

  /** A fresh session of the tenant's admin (with their passkey once held to one), which the builders use. */
  async function signInAdmin(): Promise<string> {
    const { result } = await signIn(acme.admin.email, editor);
    expect(result.status).toBe(200);
    acme.admin.token = result.body.token as string;
    return acme.admin.token;
  }

  /**
   * The policy saved by the admin in a fresh session, confirmed (when it weakens) with the password and
   * the admin's passkey over the session's step-up challenge.
   */
  async function savePolicy(changes: Record<string, unknown>) {
    const token = await signInAdmin();
    const current = await t.http.get('/v1/admin/mfa-policy', token);
    const prompt = await t.http.post('/v1/auth/step-up/webauthn', {}, token);
    const credential = await editor.device.sign(prompt.body.options);
    return t.http.request('PUT', '/v1/admin/mfa-policy', {
      token,
      body: { ...current.body, ...changes, confirmation: { password: PASSWORD, credential } },
    });
  }

  beforeAll(async () => {
    t = await startPasskeyApp(clock);
    acme = await aTenant(t.http);
    browser = await launchBrowser();
    const { secret } = await addAuthenticator(t.http, acme.admin.token, clock);
    const device = await PasskeyDevice.open(browser, t.config.publicUrl);
    // A second factor needs a check of the first in the session: a sign-in with the code.
    await addPasskey(await signInWithTotp(t.http, acme, { email: acme.admin.email, secret }, clock), device);
    editor = { device, secret };
    const saved = await savePolicy({
      requireMfa: true,
      requiredRoles: [],
      gracePeriodDays: 7,
      phishingResistantRoles: ['admin'],
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ phishingResistantRoles: ['admin'], version: 1 });
  });
  beforeEach(signInAdmin);
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it('offers an admin who has a passkey only the passkey: no code, no backup code', async () => {
    const admin = await aUser(t.http, acme, ['admin']);
    const withTotp = await addAuthenticator(t.http, admin.token, clock);
    const device = await PasskeyDevice.open(browser, t.config.publicUrl);
    const token = await addPasskey(withTotp.token, device);
    expect((await t.http.get('/v1/me', token)).body.mfa.status).toBe('compliant');
    const challenge = await login(admin.email);
    expect(challenge.body).toMatchObject({ status: 'mfa_required', methods: ['webauthn'] });
    const code = await answer(challenge.body.challengeId, { method: 'totp', code: totpCodeAt(withTotp.secret, clock) });
    expect(code.status).toBe(401);
    expect((await signIn(admin.email, { device })).result.status).toBe(200);
  });

  it('keeps a manager with an authenticator app compliant, offered their codes as before', async () => {
    const manager = await aUser(t.http, acme, ['manager']);
    const { token, secret } = await addAuthenticator(t.http, manager.token, clock);
    expect((await t.http.get('/v1/me', token)).body.mfa.status).toBe('compliant');
    const { methods, result } = await signIn(manager.email, { secret });
    expect(methods).toEqual(['totp', 'backup_code']);
    expect(result.status).toBe(200);
  });

  it("counts an admin's authenticator app for nothing, yet still asks for it at sign-in; past the deadline it opens only the set-up", async () => {
    const admin = await aUser(t.http, acme, ['admin']);
    const { token, secret } = await addAuthenticator(t.http, admin.token, clock);
    expect((await t.http.get('/v1/me', token)).body.mfa).toMatchObject({ status: 'grace' });
    // In grace: the code still guards the sign-in (a password alone opens nothing).
    const inGrace = await signIn(admin.email, { secret });
    expect(inGrace.methods).toEqual(['totp', 'backup_code']);
    expect(inGrace.result.body).toMatchObject({ status: 'authenticated' });

    clock.advance(8 * DAY);
    const overdue = await signIn(admin.email, { secret });
    expect(overdue.result.status).toBe(200);
    expect(overdue.result.body).toEqual({
      status: 'mfa_enrollment_required',
      token: expect.stringMatching(/^sgs_/),
      allowedMethods: ['webauthn'],
    });
    const setUpOnly = overdue.result.body.token as string;
    expect((await t.http.get('/v1/me/sessions', setUpOnly)).status).toBe(403);
    // The set-up session adds the passkey (the code was proven in it), which makes it whole.
    const whole = await addPasskey(setUpOnly, await PasskeyDevice.open(browser, t.config.publicUrl));
    expect((await t.http.get('/v1/me', whole)).body.mfa.status).toBe('compliant');
    expect((await t.http.get('/v1/me/sessions', whole)).status).toBe(200);
  });

  it('refuses a policy that holds roles to passkeys without allowing them', async () => {
    const saved = await savePolicy({ allowedMethods: ['totp'] });
    expect(saved.status).toBe(400);
    expect(saved.body.code).toBe('validation_failed');
  });

  it('counts no passkey once passkeys are no longer allowed (a weaker policy, confirmed with a passkey)', async () => {
    const member = await aUser(t.http, acme, ['member']);
    const token = await addPasskey(member.token, await PasskeyDevice.open(browser, t.config.publicUrl));
    expect((await t.http.get('/v1/me', token)).body.mfa.status).toBe('compliant');
    const saved = await savePolicy({ phishingResistantRoles: [], allowedMethods: ['totp', 'email'] });
    expect(saved.status).toBe(200);
    expect((await t.http.get('/v1/me', token)).body.mfa.status).toMatch(/^(grace|overdue)$/);
    expect((await login(member.email)).body.status).not.toBe('mfa_required');
  });
});

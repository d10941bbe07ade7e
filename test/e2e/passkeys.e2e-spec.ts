import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../../src/common/clock.js';
import { launchBrowser } from '../support/browser.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { PasskeyDevice, startPasskeyApp } from '../support/passkeys.js';
import { setMfaPolicy } from '../support/policy.js';
import { SocketPool } from '../support/sockets.js';
import type { TestApp } from '../support/test-app.js';

const MINUTE = 60_000;

/**
 * Passkeys through the API, with assertions made by Chromium's virtual authenticator (CDP), never by hand:
 * registration, the login challenge, step-up, and each refusal (another user's key, a replay, a cloned key,
 * a missing user verification, another origin, an expired ceremony, malformed input).
 */
describe('passkeys (WebAuthn) through the API', () => {
  const clock = new ManualClock('2030-05-01T09:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  let browser: Browser;
  /** Another site on loopback: an origin the relying party does not list. */
  let stranger: Server;
  const devices: PasskeyDevice[] = [];

  beforeAll(async () => {
    t = await startPasskeyApp(clock, (port) => ({
      // A second origin on the relying party, where a page could ask for another RP id.
      WEBAUTHN_ORIGINS: `http://localhost:${port},http://app.localhost:${port}`,
    }));
    stranger = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    acme = await aTenant(t.http);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    stranger?.close();
    await t.close();
  });

  const origin = () => t.config.publicUrl;
  const aDevice = async (at = origin()) => {
    const device = await PasskeyDevice.open(browser, at);
    devices.push(device);
    return device;
  };

  /** A user who registered a passkey on `device` through the API; their session is aal 2 by it. */
  async function aUserWithPasskey(device: PasskeyDevice, label = 'Laptop') {
    const user = await aUser(t.http, acme);
    const started = await t.http.post('/v1/me/factors/webauthn', { label }, user.token);
    expect(started.status).toBe(201);
    const credential = await device.register(started.body.options);
    const verified = await t.http.post(`/v1/me/factors/${started.body.factorId}/verify`, { credential }, user.token);
    expect(verified.status).toBe(200);
    // Sessions opened from now on began after the passkey existed (step-up counts only such factors).
    clock.advance(1000);
    return { ...user, factorId: started.body.factorId as string, token: verified.body.token as string, verified };
  }

  const login = (email: string) => t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });

  /** The password, then the login challenge answered with a passkey on `device`. */
  async function signInWithPasskey(device: PasskeyDevice, email: string) {
    const challenge = await login(email);
    expect(challenge.body.status).toBe('mfa_required');
    const prompt = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/webauthn`, {});
    expect(prompt.status).toBe(200);
    const credential = await device.sign(prompt.body.options);
    const verify = (answer: unknown) =>
      t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
        method: 'webauthn',
        credential: answer,
      });
    return { challenge, prompt, credential, verify, result: await verify(credential) };
  }

  const auditOf = async (action: string) =>
    (await t.http.get(`/v1/admin/audit?action=${action}&limit=100`, acme.admin.token)).body.events as any[];

  it('registers a passkey: the factor is active, the first backup codes come with it, and the session is aal 2', async () => {
    const device = await aDevice();
    const user = await aUserWithPasskey(device);
    expect(user.verified.body).toEqual({
      factor: { id: user.factorId, type: 'webauthn', status: 'active' },
      backupCodes: expect.arrayContaining([expect.any(String)]),
      token: expect.stringMatching(/^sgs_/),
    });
    const me = await t.http.get('/v1/me', user.token);
    expect(me.body.session).toMatchObject({ aal: 2, amr: ['pwd', 'webauthn'] });
    expect(me.body.mfa.factors).toEqual([
      expect.objectContaining({ id: user.factorId, type: 'webauthn', label: 'Laptop' }),
    ]);
    const [stored] = await t.sql(
      'select credential_id, public_key, sign_count, transports, aaguid from factors where id = $1',
      [user.factorId],
    );
    const [held] = await device.credentials();
    expect(stored.credential_id).toBe(Buffer.from(held!.credentialId, 'base64').toString('base64url'));
    expect(stored.public_key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(stored.transports).toEqual(['internal']);
    expect(stored.aaguid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('signs in with the passkey as the second factor, and refuses the same assertion replayed', async () => {
    const device = await aDevice();
    const user = await aUserWithPasskey(device);
    const first = await signInWithPasskey(device, user.email);
    expect(first.challenge.body.methods).toEqual(['webauthn', 'backup_code']);
    expect(first.prompt.body.options).toMatchObject({
      rpId: 'localhost',
      allowCredentials: [expect.objectContaining({ type: 'public-key', transports: ['internal'] })],
    });
    expect(first.result.status).toBe(200);
    expect(first.result.body.session).toMatchObject({ aal: 2, amr: ['pwd', 'webauthn'] });
    // The same assertion again, on a fresh challenge: its ceremony was used up with the first.
    const second = await login(user.email);
    const replay = await t.http.post(`/v1/auth/challenges/${second.body.challengeId}/verify`, {
      method: 'webauthn',
      credential: first.credential,
    });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('mfa_code_invalid');
  });

  it("refuses another user's passkey at a user's challenge, and audits why", async () => {
    const mine = await aDevice();
    const theirs = await aDevice();
    const user = await aUserWithPasskey(mine);
    await aUserWithPasskey(theirs);
    const challenge = await login(user.email);
    const prompt = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/webauthn`, {});
    // The other authenticator signs this challenge with its own (registered, valid) credential.
    const foreign = await theirs.sign({ ...prompt.body.options, allowCredentials: [] });
    const refused = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
      method: 'webauthn',
      credential: foreign,
    });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('mfa_code_invalid');
    const failures = await auditOf('MfaChallengeFailed');
    expect(failures.find((e) => e.target.id === challenge.body.challengeId)?.details).toMatchObject({
      method: 'webauthn',
      refusal: 'unknown_credential',
    });
  });

  it('refuses a cloned passkey (its counter goes backwards), audits it and tells the owner', async () => {
    const device = await aDevice();
    const user = await aUserWithPasskey(device);
    expect((await signInWithPasskey(device, user.email)).result.status).toBe(200);
    expect((await signInWithPasskey(device, user.email)).result.status).toBe(200);
    // A copy of the key made before those uses: its counter is behind the one the server saw last.
    const [original] = await device.credentials();
    const clone = await aDevice();
    await clone.addCredential({ ...original!, signCount: 0 });
    const attempt = await signInWithPasskey(clone, user.email);
    expect(attempt.result.status).toBe(401);
    expect(attempt.result.body.code).toBe('mfa_code_invalid');
    const [alarm] = (await auditOf('PasskeyCloneSuspected')).filter((e) => e.target.id === user.factorId);
    expect(alarm).toMatchObject({
      outcome: 'failure',
      actor: { type: 'user', id: user.id },
      details: { factorType: 'webauthn', storedCounter: expect.any(Number), receivedCounter: expect.any(Number) },
    });
    expect(alarm.details.receivedCounter).toBeLessThanOrEqual(alarm.details.storedCounter);
    const [notice] = await t.sql(
      `select count(*)::int as n from outbox_messages where kind = 'security_notice' and ref_id = $1 and user_id = $2`,
      [alarm.id, user.id],
    );
    expect(notice.n).toBe(1);
    // The genuine authenticator still works.
    expect((await signInWithPasskey(device, user.email)).result.status).toBe(200);
  });

  it('refuses a passkey made on an origin the relying party does not list, or for another RP id', async () => {
    const user = await aUser(t.http, acme);
    const { port } = stranger.address() as { port: number };
    const elsewhere = await aDevice(`http://localhost:${port}`);
    const sibling = await aDevice(origin().replace('localhost', 'app.localhost'));
    for (const [device, tamper] of [
      [elsewhere, (o: any) => o],
      [sibling, (o: any) => ({ ...o, rp: { ...o.rp, id: 'app.localhost' } })],
    ] as const) {
      const started = await t.http.post('/v1/me/factors/webauthn', {}, user.token);
      expect(started.status).toBe(201);
      const credential = await device.register(tamper(started.body.options));
      const refused = await t.http.post(`/v1/me/factors/${started.body.factorId}/verify`, { credential }, user.token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.code).toBe('mfa_code_invalid');
    }
    const failures = (await auditOf('FactorVerificationFailed')).filter((e) => e.actor.id === user.id);
    expect(failures.map((e) => e.details.refusal)).toEqual(['malformed', 'malformed']);
  });

  it('refuses an assertion for a ceremony that expired (5 minutes)', async () => {
    const device = await aDevice();
    const user = await aUserWithPasskey(device);
    const stale = await login(user.email);
    const prompt = await t.http.post(`/v1/auth/challenges/${stale.body.challengeId}/webauthn`, {});
    clock.advance(5 * MINUTE + 1);
    const late = await device.sign(prompt.body.options);
    const expired = await t.http.post(`/v1/auth/challenges/${stale.body.challengeId}/verify`, {
      method: 'webauthn',
      credential: late,
    });
    expect([401, 410]).toContain(expired.status);
    expect(expired.headers.get('content-type')).toContain('application/problem+json');
  });

  it('steps up with the passkey after a Disconnect: the session continues with a new token', async () => {
    const device = await aDevice();
    const user = await aUserWithPasskey(device);
    const { result } = await signInWithPasskey(device, user.email);
    const disconnect = await t.http.post(`/v1/admin/users/${user.id}/disconnect`, { reason: 'risk' }, acme.admin.token);
    expect(disconnect.status).toBe(202);
    expect((await t.http.get('/v1/me/sessions', result.body.token)).body.code).toBe('step_up_required');
    const prompt = await t.http.post('/v1/auth/step-up/webauthn', {}, result.body.token);
    expect(prompt.status).toBe(200);
    const credential = await device.sign(prompt.body.options);
    const stepped = await t.http.post('/v1/auth/step-up', { method: 'webauthn', credential }, result.body.token);
    expect(stepped.status).toBe(200);
    expect(stepped.body.session.amr).toEqual(['pwd', 'webauthn']);
    expect((await t.http.get('/v1/me/sessions', stepped.body.token)).status).toBe(200);
    expect((await t.http.get('/v1/me/sessions', result.body.token)).status).toBe(401);
  });

  describe('under the biometric connection policy', () => {
    const sockets = new SocketPool();
    beforeAll(() =>
      setMfaPolicy(t.http, acme, { connectionPolicy: { totpPriorConnection: false, biometricPriorConnection: true } }),
    );
    afterAll(async () => {
      sockets.closeAll();
      await setMfaPolicy(t.http, acme, {
        connectionPolicy: { totpPriorConnection: false, biometricPriorConnection: false },
      });
    });

    it('connects a socket only after a user-verified passkey assertion', async () => {
      const device = await aDevice();
      const user = await aUserWithPasskey(device);
      const codes = user.verified.body.backupCodes as string[];
      // Signed in with a backup code: a second factor, but not the device's biometrics or PIN.
      const challenge = await login(user.email);
      const withCode = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
        method: 'backup_code',
        code: codes[0],
      });
      expect(withCode.status).toBe(200);
      expect(await sockets.refusal(t.http.baseUrl, withCode.body.token)).toBe('step_up_required');
      const prompt = await t.http.post('/v1/auth/step-up/webauthn', {}, withCode.body.token);
      expect(prompt.body.options.userVerification).toBe('required');
      const credential = await device.sign(prompt.body.options);
      const stepped = await t.http.post('/v1/auth/step-up', { method: 'webauthn', credential }, withCode.body.token);
      expect(stepped.status).toBe(200);
      const socket = await sockets.connect(t.http.baseUrl, stepped.body.token);
      expect(socket.connected).toBe(true);
      // The window runs out: the next connection needs a new assertion.
      clock.advance(10 * MINUTE + 1);
      expect(await sockets.refusal(t.http.baseUrl, stepped.body.token)).toBe('step_up_required');
    });

    it("lets an app step up with the SDK's stepUpWithPasskey and connect", async () => {
      const device = await aDevice();
      const user = await aUserWithPasskey(device);
      const challenge = await login(user.email);
      const withCode = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
        method: 'backup_code',
        code: (user.verified.body.backupCodes as string[])[1],
      });
      const tokens: string[] = [];
      const { connection, stepUps } = sockets.sdk(t.http.baseUrl, withCode.body.token, {
        // The browser's prompt, answered by the virtual authenticator (an app passes nothing: the SDK uses
        // @simplewebauthn/browser's startAuthentication).
        startAuthentication: ({ optionsJSON }) => device.sign(optionsJSON),
        onTokenChanged: (token) => tokens.push(token),
      });
      await expect(connection.connected()).rejects.toMatchObject({ code: 'step_up_required' });
      expect(stepUps).toEqual([{ reason: 'step_up_required', source: 'refused' }]);
      const token = await connection.stepUpWithPasskey();
      expect(connection.state).toBe('connected');
      expect(tokens).toEqual([token]);
    });

    it('refuses an assertion without user verification, even when the client lowered the options', async () => {
      const device = await aDevice();
      const user = await aUserWithPasskey(device);
      const challenge = await login(user.email);
      const prompt = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/webauthn`, {});
      expect(prompt.body.options.userVerification).toBe('required');
      await device.setUserVerified(false);
      const presenceOnly = await device.sign({ ...prompt.body.options, userVerification: 'discouraged' });
      const refused = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
        method: 'webauthn',
        credential: presenceOnly,
      });
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('mfa_code_invalid');
      const failures = await auditOf('MfaChallengeFailed');
      expect(failures.find((e) => e.target.id === challenge.body.challengeId)?.details).toMatchObject({
        method: 'webauthn',
        refusal: 'user_verification_missing',
      });
    });
  });

  describe('passwordless sign-in', () => {
    const passkeyOptions = (tenant = acme.slug) => t.http.post('/v1/auth/passkey/options', { tenant });

    it('is refused while the policy does not allow it, and for an unknown tenant alike', async () => {
      const off = await passkeyOptions();
      expect(off.status).toBe(403);
      const unknown = await passkeyOptions('no-such-tenant');
      expect(unknown.status).toBe(403);
      expect(unknown.body).toEqual(off.body);
    });

    it('signs in with the passkey alone when allowed: aal 2, amr webauthn, and the same assertion never twice', async () => {
      await setMfaPolicy(t.http, acme, { passkeySignIn: true });
      try {
        const device = await aDevice();
        const user = await aUserWithPasskey(device);
        const prompt = await passkeyOptions();
        expect(prompt.status).toBe(200);
        expect(prompt.body.options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
        expect(prompt.body.options.allowCredentials ?? []).toEqual([]);
        const credential = await device.sign(prompt.body.options);
        expect(credential.response.userHandle).toBeDefined();
        const signedIn = await t.http.post('/v1/auth/passkey', { tenant: acme.slug, credential });
        expect(signedIn.status).toBe(200);
        expect(signedIn.body).toMatchObject({ status: 'authenticated', session: { aal: 2, amr: ['webauthn'] } });
        const me = await t.http.get('/v1/me', signedIn.body.token);
        expect(me.body.id).toBe(user.id);
        const again = await t.http.post('/v1/auth/passkey', { tenant: acme.slug, credential });
        expect(again.status).toBe(401);
        const refusals = (await auditOf('LoginFailed')).filter((e) => e.details.reason === 'passkey_refused');
        expect(refusals.at(-1)?.details).toMatchObject({ method: 'webauthn', refusal: 'unknown_challenge' });
      } finally {
        await setMfaPolicy(t.http, acme, { passkeySignIn: false });
      }
    });
  });

  it("treats another tenant's passkey and pending factor as missing ones, and saves nothing", async () => {
    const globex = await aTenant(t.http);
    await Promise.all([
      setMfaPolicy(t.http, acme, { passkeySignIn: true }),
      setMfaPolicy(t.http, globex, { passkeySignIn: true }),
    ]);
    try {
      const device = await aDevice();
      const theirs = await aUser(t.http, globex);
      const started = await t.http.post('/v1/me/factors/webauthn', {}, theirs.token);
      const credential = await device.register(started.body.options);
      // Their pending factor, answered from a session of this tenant: as unknown as a made-up id.
      const mine = await aUser(t.http, acme);
      const foreign = await t.http.post(`/v1/me/factors/${started.body.factorId}/verify`, { credential }, mine.token);
      expect(foreign.status).toBe(401);
      expect(foreign.body.code).toBe('mfa_code_invalid');
      expect(
        (await t.http.post(`/v1/me/factors/${started.body.factorId}/verify`, { credential }, theirs.token)).status,
      ).toBe(200);
      // Their (valid, discoverable) passkey at this tenant's passwordless sign-in: refused, no session opened.
      const sessionsBefore = await t.sql('select count(*)::int as n from sessions where user_id = $1', [theirs.id]);
      const prompt = await t.http.post('/v1/auth/passkey/options', { tenant: acme.slug });
      const assertion = await device.sign(prompt.body.options);
      const refused = await t.http.post('/v1/auth/passkey', { tenant: acme.slug, credential: assertion });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await t.sql('select count(*)::int as n from sessions where user_id = $1', [theirs.id])).toEqual(
        sessionsBefore,
      );
    } finally {
      await setMfaPolicy(t.http, acme, { passkeySignIn: false });
    }
  });

  it('answers missing, oversized and malformed input on the passkey routes with problem+json 4xx', async () => {
    const user = await aUser(t.http, acme);
    const cases: [string, string, unknown, number][] = [
      ['/v1/auth/passkey/options', '', {}, 400],
      ['/v1/auth/passkey/options', '', { tenant: 'x'.repeat(70_000) }, 400],
      ['/v1/auth/passkey/options', '', { tenant: acme.slug, extra: 1 }, 400],
      ['/v1/auth/passkey', '', { tenant: acme.slug }, 400],
      ['/v1/auth/challenges/not-a-uuid/webauthn', '', {}, 400],
      ['/v1/auth/challenges/00000000-0000-4000-8000-000000000000/webauthn', '', {}, 404],
      ['/v1/me/factors/webauthn', user.token, { label: 'x'.repeat(65) }, 400],
      ['/v1/me/factors/webauthn', user.token, { label: 'ok', extra: true }, 400],
    ];
    for (const [path, token, body, status] of cases) {
      const res = await t.http.post(path, body, token || undefined);
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({
        path,
        status,
        type: expect.stringContaining('application/problem+json'),
      });
    }
    expect(await t.sql(`select count(*)::int as n from factors where user_id = $1`, [user.id])).toEqual([{ n: 0 }]);
  });

  it('answers malformed input with problem+json 400, never a 500', async () => {
    const device = await aDevice();
    const user = await aUserWithPasskey(device);
    const started = await t.http.post('/v1/me/factors/webauthn', {}, user.token);
    expect(started.status).toBe(401); // a second factor needs proof of the first (a step-up) first
    const challenge = await login(user.email);
    for (const credential of [{}, { id: 'x', rawId: 'x', type: 'public-key', response: {} }, 'text', null]) {
      const res = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
        method: 'webauthn',
        credential,
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const garbage = {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA' },
      clientExtensionResults: {},
    };
    const res = await t.http.post(`/v1/auth/challenges/${challenge.body.challengeId}/verify`, {
      method: 'webauthn',
      credential: garbage,
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('mfa_code_invalid');
  });
});

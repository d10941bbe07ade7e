import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../../src/common/clock.js';
import { launchBrowser } from '../support/browser.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { PasskeyDevice, startPasskeyApp } from '../support/passkeys.js';
import type { TestApp } from '../support/test-app.js';
import { addAuthenticator, signInWithTotp } from '../support/totp.js';

/**
 * The embedded database serves one connection: a use case that reads on a second connection while its
 * transaction holds the first waits forever. These flows run here on a pool of one, against PostgreSQL,
 * so such a read fails a test instead of a first start (`npm start`).
 */
describe('on a single database connection, as the embedded database runs', () => {
  const clock = new ManualClock('2030-07-01T09:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  let browser: Browser;

  beforeAll(async () => {
    t = await startPasskeyApp(clock, () => ({ DATABASE_POOL_MAX: '1' }));
    acme = await aTenant(t.http);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it('adds an authenticator app and a passkey, then removes the app', async () => {
    const user = await aUser(t.http, acme);
    const { factorId, secret } = await addAuthenticator(t.http, user.token, clock);
    const token = await signInWithTotp(t.http, acme, { email: user.email, secret }, clock);
    const started = await t.http.post('/v1/me/factors/webauthn', { label: 'Laptop' }, token);
    expect(started.status).toBe(201);
    const device = await PasskeyDevice.open(browser, t.config.publicUrl);
    const credential = await device.register(started.body.options);
    const verified = await t.http.post(`/v1/me/factors/${started.body.factorId}/verify`, { credential }, token);
    expect(verified.status).toBe(200);
    const removed = await t.http.request('DELETE', `/v1/me/factors/${factorId}`, {
      token,
      body: { password: PASSWORD },
    });
    expect(removed.status).toBe(204);
    expect((await t.http.get('/v1/me', token)).body.mfa.factors).toEqual([
      expect.objectContaining({ type: 'webauthn', label: 'Laptop' }),
    ]);
  });
});

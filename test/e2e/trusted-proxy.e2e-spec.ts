import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FORWARDED = { 'x-forwarded-for': '203.0.113.50', 'x-client-location': 'Lisbon, PT' };

async function currentSession(t: TestApp, token: string) {
  const res = await t.http.get('/v1/me/sessions', token);
  return res.body.sessions.find((s: { current: boolean }) => s.current);
}

describe('client address and location behind a proxy', () => {
  describe('with the proxy trusted', () => {
    let t: TestApp;
    let acme: TenantFixture;
    beforeAll(async () => {
      t = await startTestApp({
        env: { TRUSTED_PROXY: 'loopback', TRUSTED_PROXY_LOCATION_HEADER: 'x-client-location' },
      });
      acme = await aTenant(t.http);
    });
    afterAll(() => t.close());

    it('records the forwarded client IP and the location the proxy supplies', async () => {
      const user = await aUser(t.http, acme);
      const token = await signIn(t.http, acme.slug, user.email, PASSWORD, FORWARDED);
      expect(await currentSession(t, token)).toMatchObject({ ip: '203.0.113.50', location: 'Lisbon, PT' });
    });
  });

  describe('with a proxy trusted, but the request coming from another peer', () => {
    let t: TestApp;
    let acme: TenantFixture;
    beforeAll(async () => {
      t = await startTestApp({
        env: { TRUSTED_PROXY: '10.0.0.1', TRUSTED_PROXY_LOCATION_HEADER: 'x-client-location' },
      });
      acme = await aTenant(t.http);
    });
    afterAll(() => t.close());

    it('ignores X-Forwarded-For and the location header from a peer that is not the proxy', async () => {
      const user = await aUser(t.http, acme);
      const token = await signIn(t.http, acme.slug, user.email, PASSWORD, FORWARDED);
      expect(await currentSession(t, token)).toMatchObject({ ip: '127.0.0.1', location: null });
    });
  });

  describe('with no trusted proxy (the default)', () => {
    let t: TestApp;
    let acme: TenantFixture;
    beforeAll(async () => {
      t = await startTestApp({ env: { TRUSTED_PROXY_LOCATION_HEADER: 'x-client-location' } });
      acme = await aTenant(t.http);
    });
    afterAll(() => t.close());

    it('ignores X-Forwarded-For and the location header: anyone could send them', async () => {
      const user = await aUser(t.http, acme);
      const token = await signIn(t.http, acme.slug, user.email, PASSWORD, FORWARDED);
      expect(await currentSession(t, token)).toMatchObject({ ip: '127.0.0.1', location: null });
    });
  });
});

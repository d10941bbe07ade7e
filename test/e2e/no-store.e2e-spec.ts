import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { totpCodeAt, verifyFactor } from '../support/totp.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

const NO_STORE = { cacheControl: 'no-store', pragma: 'no-cache' };
const cachingOf = (res: { headers: Headers }) => ({
  cacheControl: res.headers.get('cache-control'),
  pragma: res.headers.get('pragma'),
});

/** Tokens, secrets, QR codes and backup codes must never sit in a browser, proxy or CDN cache. */
describe('Cache-Control: no-store', () => {
  const clock = new ManualClock('2030-05-01T08:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  it('marks every answer carrying a credential', async () => {
    const user = await aUser(t.http, acme);
    const login = await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD });
    const enrolment = await t.http.post('/v1/me/factors/totp', {}, user.token);
    const verified = await verifyFactor(
      t.http,
      user.token,
      enrolment.body.factorId,
      totpCodeAt(enrolment.body.secret, clock),
    );
    clock.advance(30_000);
    // The first factor raised the session to aal 2: it goes on under the token the verification answered.
    const backupCodes = await t.http.post('/v1/me/backup-codes', {}, verified.body.token);
    const apiKey = await t.http.post('/v1/admin/api-keys', { name: 'siem', scopes: ['users:read'] }, acme.admin.token);
    const slug = `t-${randomUUID().slice(0, 8)}`;
    const tenant = await t.http.post(
      '/v1/tenants',
      { slug, name: slug, admin: { email: `a@${slug}.example`, password: PASSWORD } },
      t.operatorToken,
    );
    const answers = { login, enrolment, verified, backupCodes, apiKey, tenant };
    expect(Object.fromEntries(Object.entries(answers).map(([name, res]) => [name, res.status]))).toEqual({
      login: 200,
      enrolment: 201,
      verified: 200,
      backupCodes: 201,
      apiKey: 201,
      tenant: 201,
    });
    for (const res of Object.values(answers)) expect(cachingOf(res)).toEqual(NO_STORE);
  });

  it('marks the answer of every /v1 route, errors included', async () => {
    const walker = await aUser(t.http, acme, ['admin']);
    const router = t.app.getHttpAdapter().getInstance().router as { stack: Layer[] };
    const routes = router.stack
      .filter((l) => l.route?.path.startsWith('/v1/'))
      .flatMap((l) => Object.keys(l.route!.methods).map((method) => ({ method, path: l.route!.path })));
    expect(routes.length).toBeGreaterThan(30);
    const unmarked: string[] = [];
    const statuses = new Set<number>();
    for (const { method, path } of routes) {
      const url = path.replace(/:\w+/g, () => randomUUID());
      const res = await t.http.request(method.toUpperCase(), url, {
        token: walker.token,
        ...(method === 'get' || method === 'delete' ? {} : { body: {} }),
      });
      statuses.add(Math.floor(res.status / 100));
      const caching = cachingOf(res);
      if (caching.cacheControl !== 'no-store' || caching.pragma !== 'no-cache') unmarked.push(`${method} ${path}`);
    }
    expect(unmarked).toEqual([]);
    expect([...statuses].sort()).toEqual(expect.arrayContaining([2, 4]));
  });

  it('leaves the public API description cacheable', async () => {
    expect((await t.http.get('/openapi.json')).headers.get('cache-control')).not.toBe('no-store');
  });
});

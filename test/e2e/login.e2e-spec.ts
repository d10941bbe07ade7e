import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('password login', () => {
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp();
    acme = await aTenant(t.http, 'acme');
  });
  afterAll(() => t.close());

  it('opens an aal1 session with a 256-bit opaque token', async () => {
    const res = await t.http.post('/v1/auth/login', { tenant: 'acme', email: acme.admin.email, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'authenticated', session: { aal: 1, amr: ['pwd'] } });
    expect(res.body.token).toMatch(/^sgs_[A-Za-z0-9_-]{43}$/);
    expect(new Date(res.body.session.expiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it('answers unknown tenant, unknown user and wrong password with the same 401', async () => {
    const bodies = await Promise.all([
      t.http.post('/v1/auth/login', { tenant: 'nope', email: acme.admin.email, password: PASSWORD }),
      t.http.post('/v1/auth/login', { tenant: 'acme', email: 'ghost@acme.example', password: PASSWORD }),
      t.http.post('/v1/auth/login', { tenant: 'acme', email: acme.admin.email, password: 'wrong password!!' }),
    ]);
    for (const res of bodies) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toEqual(bodies[0]!.body);
      expect(res.body.code).toBe('invalid_credentials');
    }
  });

  it('shows the signed-in user at /v1/me', async () => {
    const me = await t.http.get('/v1/me', acme.admin.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      email: acme.admin.email,
      tenant: { slug: 'acme' },
      roles: ['admin'],
      session: { aal: 1 },
    });
  });

  it('refuses a missing or unknown token with 401 unauthorized', async () => {
    expect((await t.http.get('/v1/me')).body.code).toBe('unauthorized');
    expect((await t.http.get('/v1/me', 'sgs_notatoken')).status).toBe(401);
  });
});

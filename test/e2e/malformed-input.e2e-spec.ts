import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Bad input gets a problem+json 4xx with a stable code; never a 500. */
describe('malformed input', () => {
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ env: { HTTP_BODY_LIMIT_BYTES: '4096' } });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const expectProblem = (res: { status: number; headers: Headers; body: any }, status: number, code: string) => {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  };

  it('refuses malformed JSON with 400 validation_failed', async () => {
    const res = await t.http.request('POST', '/v1/auth/login', {
      raw: '{"tenant": "acme",',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 400, 'validation_failed');
  });

  it('refuses an oversized body with 413', async () => {
    const res = await t.http.post('/v1/auth/login', { tenant: 'x', email: 'a@b.c', password: 'p'.repeat(10_000) });
    expectProblem(res, 413, 'payload_too_large');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await t.http.request('POST', '/v1/auth/login', {
      raw: 'tenant=acme',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(res, 415, 'unsupported_media_type');
  });

  it('names unknown fields and wrong types', async () => {
    const res = await t.http.post('/v1/auth/login', { tenant: 'acme', email: 'a@b.c', password: 'x', admin: true });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors).toEqual([{ field: 'admin', message: expect.any(String) }]);
    const typed = await t.http.post('/v1/admin/users', { email: 42, roles: ['wizard'] }, acme.admin.token);
    expectProblem(typed, 400, 'validation_failed');
    expect(typed.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'roles.0']);
  });

  it('refuses JSON that is not an object', async () => {
    for (const raw of ['[]', '"text"', 'null', '42']) {
      const res = await t.http.request('POST', '/v1/auth/login', {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
    }
  });

  it('refuses malformed ids and query parameters', async () => {
    expectProblem(await t.http.get('/v1/admin/users/not-a-uuid', acme.admin.token), 400, 'validation_failed');
    expectProblem(await t.http.get('/v1/admin/users?limit=0', acme.admin.token), 400, 'validation_failed');
    expectProblem(await t.http.get('/v1/admin/users?cursor=zzz', acme.admin.token), 400, 'validation_failed');
    expectProblem(await t.http.get('/v1/admin/users?colour=red', acme.admin.token), 400, 'validation_failed');
  });

  it('answers unknown routes with a 404 problem', async () => {
    expectProblem(await t.http.get('/v1/nowhere', acme.admin.token), 404, 'not_found');
  });

  it('answers a malformed Authorization header with 401', async () => {
    const res = await t.http.request('GET', '/v1/me', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expectProblem(res, 401, 'unauthorized');
  });

  describe('strings PostgreSQL cannot store (NUL, unpaired surrogates)', () => {
    const BAD = [
      ['a NUL', 'a\u0000b'],
      ['an unpaired surrogate', 'a\ud800b'],
    ] as const;
    const UNSTORABLE = 'must not contain NUL or unpaired surrogate characters';
    const expectRefused = (res: { status: number; headers: Headers; body: any }, field: string) => {
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field, message: UNSTORABLE }]);
    };

    it.each(BAD)('refuses %s in each login field', async (_case, bad) => {
      const valid = { tenant: acme.slug, email: acme.admin.email, password: acme.admin.password };
      for (const field of ['tenant', 'email', 'password'] as const) {
        expectRefused(await t.http.post('/v1/auth/login', { ...valid, [field]: bad }), field);
      }
    });

    it.each(BAD)('refuses %s in a new tenant, however deep the field', async (_case, bad) => {
      const tenant = {
        slug: 't-nul-surrogate',
        name: 'Acme',
        admin: { email: 'a@acme.example', password: 'p'.repeat(12) },
      };
      expectRefused(await t.http.post('/v1/tenants', { ...tenant, name: bad }, t.operatorToken), 'name');
      const admin = { ...tenant.admin, email: `${bad}@acme.example` };
      expectRefused(await t.http.post('/v1/tenants', { ...tenant, admin }, t.operatorToken), 'admin.email');
    });

    it.each(BAD)('refuses %s in a new user and a new API key', async (_case, bad) => {
      const user = { email: `${bad}@${acme.slug}.example`, roles: ['member'] };
      expectRefused(await t.http.post('/v1/admin/users', user, acme.admin.token), 'email');
      const key = { name: bad, scopes: ['audit:read'] };
      expectRefused(await t.http.post('/v1/admin/api-keys', key, acme.admin.token), 'name');
    });

    it('refuses a NUL in audit query parameters and in a route parameter', async () => {
      expectRefused(await t.http.get('/v1/admin/audit?actorId=a%00b', acme.admin.token), 'actorId');
      expectRefused(await t.http.get('/v1/admin/audit?action=a%00b', acme.admin.token), 'action');
      expectRefused(await t.http.get('/v1/admin/users/a%00b', acme.admin.token), 'id');
    });

    it('refuses a NUL in a field name too', async () => {
      const res = await t.http.post('/v1/auth/login', {
        tenant: acme.slug,
        email: 'a@b.c',
        password: 'x',
        'a\u0000b': 1,
      });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field: 'a\u0000b', message: UNSTORABLE }]);
    });
  });

  it('never answers 500 to garbage on any route', async () => {
    const garbage = [
      {},
      { a: 1 },
      { email: null },
      { roles: 'admin' },
      { tenant: {}, email: [], password: 1 },
      { slug: '../../etc' },
    ];
    const routes: [string, string][] = [
      ['POST', '/v1/tenants'],
      ['POST', '/v1/auth/login'],
      ['POST', '/v1/me/password'],
      ['POST', '/v1/admin/users'],
      ['PATCH', `/v1/admin/users/${acme.admin.id}`],
      ['POST', '/v1/admin/api-keys'],
      ['POST', '/v1/me/sessions/revoke-others'],
    ];
    for (const [method, path] of routes) {
      for (const body of garbage) {
        const token = path === '/v1/tenants' ? t.operatorToken : acme.admin.token;
        const res = await t.http.request(method, path, { token, body });
        expect({ method, path, body, status: res.status < 500 }).toEqual({ method, path, body, status: true });
      }
    }
  });
});

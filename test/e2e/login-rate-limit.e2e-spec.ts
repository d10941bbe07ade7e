import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('login rate limits', () => {
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
        LOGIN_MAX_ATTEMPTS_PER_IP: '25',
        LOGIN_RATE_WINDOW_SECONDS: '600',
        TRUSTED_PROXY: 'loopback',
      },
    });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const attempt = (email: string, password: string, ip = '203.0.113.7') =>
    t.http.request('POST', '/v1/auth/login', {
      body: { tenant: acme.slug, email, password },
      headers: { 'x-forwarded-for': ip },
    });

  it('locks an account after consecutive failures with 429 and Retry-After, even for the right password', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt(acme.admin.email, 'wrong password!')).status).toBe(401);
    const locked = await attempt(acme.admin.email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('too_many_attempts');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });

  it('counts unknown accounts too, so probing for users is throttled the same way', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt('ghost@nowhere.example', 'whatever')).status).toBe(401);
    expect((await attempt('ghost@nowhere.example', 'whatever')).status).toBe(429);
  });

  it('audits every refused attempt', async () => {
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      const rows = await db.query(
        `select details->>'reason' as reason from audit_events where action = 'LoginFailed' and tenant_id = $1`,
        [acme.id],
      );
      const reasons = rows.rows.map((r) => r.reason);
      expect(reasons.filter((r) => r === 'wrong_password')).toHaveLength(3);
      expect(reasons).toContain('rate_limited');
      expect(reasons).toContain('unknown_user');
    } finally {
      await db.end();
    }
  });

  it('limits attempts per IP across accounts', async () => {
    const bystander = await aUser(t.http, acme);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await attempt(`user${i}@acme.example`, 'x', '198.51.100.9')).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    for (let i = 0; i < 5; i++) await attempt(`more${i}@acme.example`, 'x', '198.51.100.9');
    const over = await attempt('another@acme.example', 'x', '198.51.100.9');
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client behind the same trusted proxy is not affected.
    expect((await attempt(bystander.email, PASSWORD, '198.51.100.10')).status).toBe(200);
  });
});

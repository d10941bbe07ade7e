import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const LIMIT = 3;
const PER_IP = 25;

describe('login rate limits', () => {
  let t: TestApp;
  let acme: TenantFixture;
  // Stands still: the account-wide back-off (1 s after LIMIT failures) must not open in the middle of a burst.
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    t = await startTestApp({
      clock,
      env: {
        LOGIN_MAX_FAILURES_PER_ACCOUNT: String(LIMIT),
        LOGIN_MAX_ATTEMPTS_PER_IP: String(PER_IP),
        LOGIN_RATE_WINDOW_SECONDS: '600',
        TRUSTED_PROXY: 'loopback',
      },
    });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  // Every test signs in from addresses of its own, so no test spends another's per-IP budget, and its
  // audit entries are told apart by their IP.
  let ips = 0;
  const anIp = () => `198.18.${Math.floor(ips / 250)}.${(ips++ % 250) + 1}`;

  const attempt = (email: string, password: string, ip: string) =>
    t.http.request('POST', '/v1/auth/login', {
      body: { tenant: acme.slug, email, password },
      headers: { 'x-forwarded-for': ip },
    });

  const loginFailures = (ips: string[]) =>
    t.sql<{ tenant_id: string | null; target_id: string | null; details: Record<string, unknown> }>(
      `select tenant_id, target_id, details from audit_events
       where action = 'LoginFailed' and ip = any($1) order by seq`,
      [ips],
    );

  const refusedLoginsCounted = async () => {
    const metrics = (await t.http.get<string>('/metrics')).body;
    return Number(/^stepguard_logins_total\{outcome="rate_limited"\} (\S+)$/m.exec(metrics)?.[1] ?? 0);
  };

  it('locks an account after consecutive failures with 429 and Retry-After, even for the right password', async () => {
    const user = await aUser(t.http, acme);
    const ip = anIp();
    for (let i = 0; i < LIMIT; i++) expect((await attempt(user.email, 'wrong password!', ip)).status).toBe(401);
    const locked = await attempt(user.email, PASSWORD, ip);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('too_many_attempts');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });

  it('lets exactly the limit of parallel wrong passwords for one account reach the password check', async () => {
    const user = await aUser(t.http, acme);
    const ips = Array.from({ length: 40 }, anIp);
    const statuses = (await Promise.all(ips.map((ip) => attempt(user.email, 'wrong password!', ip)))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - LIMIT);
    expect((await attempt(user.email, PASSWORD, anIp())).status).toBe(429);
  });

  it('makes the budget whole again after a successful sign-in', async () => {
    const user = await aUser(t.http, acme);
    const ip = anIp();
    for (let i = 0; i < LIMIT - 1; i++) expect((await attempt(user.email, 'wrong password!', ip)).status).toBe(401);
    expect((await attempt(user.email, PASSWORD, ip)).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) expect((await attempt(user.email, 'wrong password!', ip)).status).toBe(401);
    expect((await attempt(user.email, PASSWORD, ip)).status).toBe(429);
  });

  it('counts unknown accounts too, so probing for users is throttled the same way', async () => {
    const ip = anIp();
    const ghost = 'ghost@nowhere.example';
    for (let i = 0; i < LIMIT; i++) expect((await attempt(ghost, 'whatever', ip)).status).toBe(401);
    expect((await attempt(ghost, 'whatever', ip)).status).toBe(429);
  });

  it('audits the failures, and the first refusal of a window only, naming the limit; metrics count every refusal', async () => {
    const user = await aUser(t.http, acme);
    const ip = anIp();
    for (let i = 0; i < LIMIT; i++) await attempt(user.email, 'wrong password!', ip);
    const countedBefore = await refusedLoginsCounted();
    const refused = await Promise.all(Array.from({ length: 15 }, () => attempt(user.email, 'wrong password!', ip)));
    for (let i = 0; i < 5; i++) refused.push(await attempt(user.email, PASSWORD, ip));
    expect(refused.map((r) => r.status)).toEqual(Array(20).fill(429));

    const entries = await loginFailures([ip]);
    expect(entries.map((e) => e.details.reason)).toEqual([...Array(LIMIT).fill('wrong_password'), 'rate_limited']);
    expect(entries.at(-1)).toMatchObject({
      tenant_id: acme.id,
      target_id: user.id,
      details: { reason: 'rate_limited', limit: 'account_network', email: user.email },
    });
    expect((await refusedLoginsCounted()) - countedBefore).toBe(20);
  });

  it('refuses an attempt over a limit before any database work', async () => {
    const ip = anIp();
    for (let i = 0; i <= LIMIT; i++) await attempt('nobody@acme.example', 'whatever', ip);
    const fork = jest.spyOn(t.app.get(MikroORM).em, 'fork');
    try {
      const refused = await Promise.all(Array.from({ length: 10 }, () => attempt('nobody@acme.example', 'x', ip)));
      expect(refused.map((r) => r.status)).toEqual(Array(10).fill(429));
      expect(fork).not.toHaveBeenCalled();
    } finally {
      fork.mockRestore();
    }
  });

  it('keeps what was typed as the e-mail in the audit log only when it is an e-mail address', async () => {
    const ip = anIp();
    expect((await attempt(' Typo@Nowhere.Example ', 'whatever', ip)).status).toBe(401);
    expect((await attempt('correct horse battery staple', 'whatever', ip)).status).toBe(401);
    const [address, typedPassword] = await loginFailures([ip]);
    expect(address!.details).toEqual({ reason: 'unknown_user', email: 'typo@nowhere.example' });
    expect(typedPassword!.details).toEqual({ reason: 'unknown_user', emailInvalid: true });
  });

  it('limits attempts per IP across accounts, and audits that once', async () => {
    const bystander = await aUser(t.http, acme);
    const ip = anIp();
    const statuses: number[] = [];
    for (let i = 0; i < PER_IP; i++) statuses.push((await attempt(`user${i}@acme.example`, 'x', ip)).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    for (let i = 0; i < 5; i++) expect((await attempt(`more${i}@acme.example`, 'x', ip)).status).toBe(429);
    const over = await attempt(bystander.email, PASSWORD, ip);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const refusals = (await loginFailures([ip])).filter((e) => e.details.reason === 'rate_limited');
    expect(refusals.map((e) => e.details)).toEqual([
      { reason: 'rate_limited', limit: 'ip', email: 'more0@acme.example' },
    ]);
    // Another client behind the same trusted proxy is not affected.
    expect((await attempt(bystander.email, PASSWORD, anIp())).status).toBe(200);
  });

  it('counts every address of an IPv6 /64 as one client', async () => {
    const inNetwork = (i: number) => `2001:db8:5:7:${i.toString(16)}::1`;
    const statuses = (
      await Promise.all(Array.from({ length: PER_IP }, (_, i) => attempt(`v6-${i}@acme.example`, 'x', inNetwork(i))))
    ).map((r) => r.status);
    expect(statuses).toEqual(Array(PER_IP).fill(401));
    expect((await attempt('v6-next@acme.example', 'x', '2001:DB8:5:7:ffff:ffff:ffff:fffe')).status).toBe(429);
    expect((await attempt('v6-next@acme.example', 'x', '2001:db8:5:8::1')).status).toBe(401);
  });
});

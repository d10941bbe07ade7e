import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, totpCodeAt } from '../support/totp.js';

const LIMIT = 5;
const BACKOFF_MAX_SECONDS = 60;
const WINDOW_SECONDS = 900;

/** Strangers' wrong passwords must not lock the owner out (NIST SP 800-63B counts failures, per account). */
describe('login lockout is no denial of service', () => {
  const clock = new ManualClock('2030-06-01T08:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({
      clock,
      env: {
        TRUSTED_PROXY: 'loopback',
        LOGIN_MAX_FAILURES_PER_ACCOUNT: String(LIMIT),
        LOGIN_MAX_ATTEMPTS_PER_IP: '100',
        LOGIN_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS),
        LOGIN_BACKOFF_MAX_SECONDS: String(BACKOFF_MAX_SECONDS),
      },
    });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  // Each test uses networks of its own, so no test spends another's per-IP budget.
  let ips = 0;
  const aNetwork = () => `198.18.${Math.floor(ips / 250)}.${(ips++ % 250) + 1}`;

  const login = (email: string, password: string, ip: string, headers: Record<string, string> = {}) =>
    t.http.request('POST', '/v1/auth/login', {
      body: { tenant: acme.slug, email, password },
      headers: { 'x-forwarded-for': ip, ...headers },
    });

  const rateLimitRefusals = (userId: string) =>
    t.sql<{ ip: string; details: Record<string, unknown> }>(
      `select ip, details from audit_events
        where action = 'LoginFailed' and target_id = $1 and details->>'reason' = 'rate_limited' order by seq`,
      [userId],
    );

  /** Many networks guessing at once: LIMIT get through, the rest wait out the back-off. */
  async function distributedGuessing(email: string, networks = 30) {
    const statuses = await Promise.all(
      Array.from({ length: networks }, () => login(email, 'wrong password!', aNetwork()).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(networks - LIMIT);
  }

  it("lets the owner in from their usual address after a stranger's 50 failures from another", async () => {
    const owner = await aUser(t.http, acme);
    const home = aNetwork();
    expect((await login(owner.email, PASSWORD, home)).status).toBe(200);

    const stranger = aNetwork();
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await login(owner.email, 'wrong password!', stranger)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(50 - LIMIT).fill(429)]);

    const back = await login(owner.email, PASSWORD, home);
    expect(back.status).toBe(200);
    expect(back.body.token).toMatch(/^sgs_/);
  });

  it('keeps the stranger throttled for the window, even with the right password, and audits that once', async () => {
    const owner = await aUser(t.http, acme);
    const home = aNetwork();
    expect((await login(owner.email, PASSWORD, home)).status).toBe(200);
    const stranger = aNetwork();
    for (let i = 0; i < 20; i++) await login(owner.email, 'wrong password!', stranger);

    expect((await login(owner.email, PASSWORD, home)).status).toBe(200);
    const refused = await login(owner.email, PASSWORD, stranger);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(WINDOW_SECONDS - 60);
    expect(await rateLimitRefusals(owner.id)).toEqual([
      { ip: stranger, details: { reason: 'rate_limited', limit: 'account_network', email: owner.email } },
    ]);
  });

  it('holds a distributed guesser at the account ceiling: one guess per wait, the wait doubling up to its bound', async () => {
    const owner = await aUser(t.http, acme);
    await distributedGuessing(owner.email);
    const waits: number[] = [];
    for (let round = 0; round < 9; round++) {
      const shut = await login(owner.email, 'wrong password!', aNetwork());
      expect(shut.status).toBe(429);
      const wait = Number(shut.headers.get('retry-after'));
      waits.push(wait);
      clock.advance(wait * 1000);
      expect((await login(owner.email, 'wrong password!', aNetwork())).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    const refusals = await rateLimitRefusals(owner.id);
    expect(refusals.map((r) => r.details)).toEqual([{ reason: 'rate_limited', limit: 'account', email: owner.email }]);
  });

  it('makes the owner on a brand-new network during an attack wait the back-off, not a 15-minute wall', async () => {
    const owner = await aUser(t.http, acme);
    await distributedGuessing(owner.email, 40);
    const newNetwork = aNetwork();
    const waiting = await login(owner.email, PASSWORD, newNetwork);
    expect(waiting.status).toBe(429);
    const wait = Number(waiting.headers.get('retry-after'));
    expect(wait).toBeLessThanOrEqual(BACKOFF_MAX_SECONDS);

    clock.advance(wait * 1000);
    expect((await login(owner.email, PASSWORD, newNetwork)).status).toBe(200);
    // The right password ended the streak: the next failure anywhere is an ordinary 401.
    expect((await login(owner.email, 'wrong password!', aNetwork())).status).toBe(401);
  });

  it('lets a remembered device through from a new network while the account is under attack', async () => {
    const owner = await aUserWithTotp(t.http, acme, clock);
    const home = aNetwork();
    const { challengeId } = (await login(owner.email, PASSWORD, home)).body;
    const remembered = await t.http.post(`/v1/auth/challenges/${challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(owner.secret, clock),
      rememberDevice: true,
    });
    expect(remembered.status).toBe(200);
    await distributedGuessing(owner.email);

    const travelling = aNetwork();
    expect((await login(owner.email, PASSWORD, travelling)).status).toBe(429);
    const withDevice = await login(owner.email, PASSWORD, travelling, {
      'x-stepguard-device': remembered.body.deviceToken,
    });
    expect(withDevice.status).toBe(200);
    expect(withDevice.body.status).toBe('authenticated');
  });

  it('keeps at most 10 networks per user, the least recently used going first', async () => {
    const owner = await aUser(t.http, acme);
    const networks = Array.from({ length: 12 }, aNetwork);
    for (const ip of networks) {
      expect((await login(owner.email, PASSWORD, ip)).status).toBe(200);
      clock.advance(1000);
    }
    const [{ count }] = await t.sql('select count(*)::int as count from login_known_networks where user_id = $1', [
      owner.id,
    ]);
    expect(count).toBe(10);
    await distributedGuessing(owner.email);
    expect((await login(owner.email, PASSWORD, networks[0]!)).status).toBe(429);
    expect((await login(owner.email, PASSWORD, networks[11]!)).status).toBe(200);
  });

  it('never takes a wrong device token or an unknown network for the owner', async () => {
    const owner = await aUser(t.http, acme);
    await distributedGuessing(owner.email);
    const res = await login(owner.email, PASSWORD, aNetwork(), { 'x-stepguard-device': `sgd_${'A'.repeat(43)}` });
    expect(res.status).toBe(429);
  });
});

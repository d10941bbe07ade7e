import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const STEP = 30_000;
const MINUTE = 60_000;

describe('removing a factor', () => {
  const clock = new ManualClock('2030-05-01T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  /**
   * Adds an authenticator app for the user and keeps `user.token` usable: the first factor's verification
   * answers the session's new token; a further factor needs a fresh check with an earlier one, so the
   * user signs in with that one first.
   */
  async function anActiveTotp(user: { email: string; token: string }, earlier?: { secret: string }) {
    if (earlier) user.token = await signInWith(user, earlier);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    const verified = await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock));
    expect(verified.status).toBe(200);
    user.token = verified.body.token ?? user.token;
    clock.advance(STEP);
    return { factorId, secret };
  }
  /** A session opened through the challenge with this factor: one that counts it as proof. */
  const signInWith = (user: { email: string }, factor: { secret: string }) =>
    signInWithTotp(t.http, acme, { email: user.email, secret: factor.secret }, clock);

  const remove = (token: string, factorId: string, body?: object) =>
    t.http.request('DELETE', `/v1/me/factors/${factorId}`, { token, body });
  const factorCount = async (userId: string) =>
    Number((await t.sql(`select count(*) as n from factors where user_id = $1`, [userId]))[0].n);
  const login = (email: string) => t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });

  it('removes a factor with the password, and refuses a wrong one with invalid_credentials', async () => {
    const user = await aUser(t.http, acme);
    const { factorId } = await anActiveTotp(user);
    const wrong = await remove(user.token, factorId, { password: 'not my password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(await factorCount(user.id)).toBe(1);
    const res = await remove(user.token, factorId, { password: PASSWORD });
    expect(res.status).toBe(204);
    expect(await factorCount(user.id)).toBe(0);
  });

  it('removes a factor with a current code, once: wrong and replayed codes are mfa_code_invalid', async () => {
    const user = await aUser(t.http, acme);
    const first = await anActiveTotp(user);
    const second = await anActiveTotp(user, first);
    user.token = await signInWith(user, second);
    const code = totpCodeAt(second.secret, clock);
    const wrong = await remove(user.token, first.factorId, { code: code === '000000' ? '000001' : '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('mfa_code_invalid');
    expect((await remove(user.token, first.factorId, { code })).status).toBe(204);
    const replay = await remove(user.token, second.factorId, { code });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual(wrong.body);
    expect(await factorCount(user.id)).toBe(1);
  });

  it('needs the password or a code, exactly one (400 otherwise)', async () => {
    const user = await aUser(t.http, acme);
    const { factorId } = await anActiveTotp(user);
    for (const body of [undefined, {}, { password: PASSWORD, code: '123456' }]) {
      const res = await remove(user.token, factorId, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect(await factorCount(user.id)).toBe(1);
  });

  it('answers 401 reauth_required outside the window, even with the right password, until a step-up', async () => {
    const user = await aUser(t.http, acme);
    const factor = await anActiveTotp(user);
    user.token = await signInWith(user, factor);
    clock.advance(11 * MINUTE);
    const stale = await remove(user.token, factor.factorId, { password: PASSWORD });
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('reauth_required');
    const code = totpCodeAt(factor.secret, clock);
    const steppedUp = await t.http.post('/v1/auth/step-up', { method: 'totp', code }, user.token);
    expect(steppedUp.status).toBe(200);
    expect((await remove(steppedUp.body.token, factor.factorId, { password: PASSWORD })).status).toBe(204);
  });

  it("treats another user's factor as not found", async () => {
    const owner = await aUser(t.http, acme);
    const { factorId } = await anActiveTotp(owner);
    const other = await aUser(t.http, acme);
    const res = await remove(other.token, factorId, { password: PASSWORD });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
    expect(await factorCount(owner.id)).toBe(1);
  });

  it('turns login back to aal 1 once the last factor is gone, and records it without secrets', async () => {
    const user = await aUser(t.http, acme);
    const first = await anActiveTotp(user);
    const second = await anActiveTotp(user, first);
    const backupCodes = async () =>
      Number((await t.sql(`select count(*) as n from backup_codes where user_id = $1`, [user.id]))[0].n);
    expect(await backupCodes()).toBe(10);
    expect((await login(user.email)).body.status).toBe('mfa_required');
    expect((await remove(user.token, first.factorId, { password: PASSWORD })).status).toBe(204);
    expect(await backupCodes()).toBe(10);
    expect((await login(user.email)).body.status).toBe('mfa_required');
    expect((await remove(user.token, second.factorId, { password: PASSWORD })).status).toBe(204);
    expect(await backupCodes()).toBe(0);
    expect((await login(user.email)).body).toMatchObject({
      status: 'authenticated',
      session: { aal: 1, amr: ['pwd'] },
    });

    const rows = await t.sql<{ target_id: string; outcome: string; details: Record<string, unknown> }>(
      `select target_id, outcome, details from audit_events where action = 'FactorRemoved' and actor_id = $1 order by seq`,
      [user.id],
    );
    expect(rows.map((r) => [r.target_id, r.outcome, r.details.lastFactor])).toEqual([
      [first.factorId, 'success', false],
      [second.factorId, 'success', true],
    ]);
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    expect(JSON.stringify(rows)).not.toContain(second.secret);
  });
});

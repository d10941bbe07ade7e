import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const STEP = 30_000;
const HOUR = 60 * 60_000;

describe('an admin’s MFA reset', () => {
  const clock = new ManualClock('2030-11-01T09:00:10Z');
  let smtp: TestSmtp;
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ clock, extra: [WorkersModule], env: { SMTP_URL: smtp.url } });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const reset = (userId: string, token = acme.admin.token) =>
    t.http.post(`/v1/admin/users/${userId}/mfa-reset`, undefined, token);
  const open = (token: string, password = PASSWORD) => t.http.post('/v1/auth/mfa-reset', { token, password });
  /** The token of the `n`th reset link mailed (the user's security notices are other mails). */
  async function mailedToken(email: string, n = 1): Promise<string> {
    const mail = await smtp.nth(email, n, 10_000, /reset your two-step sign-in/);
    return new URLSearchParams(new URL(/https?:\/\/\S+/.exec(mail.text)![0]).hash.slice(1)).get('token')!;
  }
  async function signInWithCode(email: string, code: string) {
    const { challengeId } = (await t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD }))
      .body;
    return t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method: 'totp', code });
  }

  it('mails a single-use link; the old factor works until a new one is verified through it, then only the new one', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    expect((await reset(user.id)).status).toBe(202);
    const link = await mailedToken(user.email);
    expect(link).toMatch(/^sgr_/);
    expect(JSON.stringify(await t.sql('select * from mfa_resets'))).not.toContain(link.slice(4));

    expect((await open(link, 'not the password')).body.code).toBe('invalid_credentials');
    const opened = await open(link);
    expect(opened.body).toEqual({ status: 'mfa_enrollment_required', token: expect.any(String) });
    expect((await open(link)).status).toBe(410);
    const token = opened.body.token as string;
    expect((await t.http.get('/v1/me/sessions', token)).status).toBe(403);

    expect((await signInWithCode(user.email, totpCodeAt(user.secret, clock))).status).toBe(200);
    clock.advance(STEP);

    const fresh = await enrolTotp(t.http, token);
    const verified = await verifyFactor(t.http, token, fresh.factorId, totpCodeAt(fresh.secret, clock));
    expect(verified.status).toBe(200);
    expect(verified.body.backupCodes).toHaveLength(10);
    // Raised to aal 2 by the new factor: the session goes on under a new token.
    expect((await t.http.get('/v1/me/sessions', verified.body.token)).status).toBe(200);
    clock.advance(STEP);
    expect((await signInWithCode(user.email, totpCodeAt(user.secret, clock))).status).toBe(401);
    expect((await signInWithCode(user.email, totpCodeAt(fresh.secret, clock))).status).toBe(200);
    const factors = await t.sql('select id from factors where user_id = $1', [user.id]);
    expect(factors).toEqual([{ id: fresh.factorId }]);
    const resets = await t.sql(
      'select used_at is not null as used, completed_at is not null as completed from mfa_resets where user_id = $1',
      [user.id],
    );
    expect(resets).toEqual([{ used: true, completed: true }]);
    const actions = await t.sql<{ action: string; outcome: string }>(
      `select action, outcome from audit_events where target_id = $1 and action like 'MfaReset%' order by seq`,
      [user.id],
    );
    expect(actions.map((a) => [a.action, a.outcome])).toEqual([
      ['MfaResetRequested', 'success'],
      ['MfaResetLinkUsed', 'failure'],
      ['MfaResetLinkUsed', 'success'],
      ['MfaResetCompleted', 'success'],
    ]);
  });

  it('lifts a lock after too many wrong codes once the new factor is verified', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    await t.sql(
      `insert into mfa_failure_streaks (user_id, tenant_id, consecutive_failures, updated_at, locked_at) values ($1, $2, 100, now(), now())`,
      [user.id, acme.id],
    );
    await reset(user.id);
    const token = (await open(await mailedToken(user.email))).body.token as string;
    const fresh = await enrolTotp(t.http, token);
    expect((await verifyFactor(t.http, token, fresh.factorId, totpCodeAt(fresh.secret, clock))).status).toBe(200);
    clock.advance(STEP);
    expect((await signInWithCode(user.email, totpCodeAt(fresh.secret, clock))).status).toBe(200);
  });

  it('opens at most one session from a link opened several times at once', async () => {
    const user = await aUser(t.http, acme);
    await reset(user.id);
    const link = await mailedToken(user.email);
    const results = await Promise.all(Array.from({ length: 4 }, () => open(link)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 410, 410, 410]);
    const opened = await t.sql(`select id from sessions where user_id = $1 and mfa_reset_id is not null`, [user.id]);
    expect(opened).toHaveLength(1);
  });

  it('refuses a link after 24 hours, and one replaced by a newer reset', async () => {
    const user = await aUser(t.http, acme);
    await reset(user.id);
    const first = await mailedToken(user.email);
    await reset(user.id);
    const second = await mailedToken(user.email, 2);
    expect((await open(first)).status).toBe(410);
    clock.advance(24 * HOUR + 1000);
    const late = await open(second);
    expect({ status: late.status, code: late.body.code }).toEqual({ status: 410, code: 'challenge_expired' });
    expect((await open('sgr_never-issued')).status).toBe(410);
    for (const body of [
      {},
      { token: 'x' },
      { token: 'x', password: 'y', extra: 1 },
      { token: 'x'.repeat(200), password: 'y' },
    ]) {
      const bad = await t.http.post('/v1/auth/mfa-reset', body);
      expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 400, code: 'validation_failed' });
    }
  });

  it('is for the tenant’s admins: another tenant’s user is not found, a member is refused', async () => {
    const other = await aTenant(t.http);
    const stranger = await aUser(t.http, other);
    const adminToken = await signIn(t.http, acme.slug, acme.admin.email);
    expect((await reset(stranger.id, adminToken)).status).toBe(404);
    const member = await aUser(t.http, acme);
    expect((await reset(member.id, member.token)).status).toBe(403);
    expect((await reset('not-a-uuid', adminToken)).status).toBe(400);
  });
});

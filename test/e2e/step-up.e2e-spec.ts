import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const STEP = 30_000;
const MINUTE = 60_000;

describe('step-up and the re-auth window', () => {
  const clock = new ManualClock('2030-04-01T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  /** A user with an active authenticator app and a session opened through the challenge (aal 2). */
  async function aUserSignedInWithTotp() {
    const user = await aUser(t.http, acme);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    const enrolled = await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock));
    expect(enrolled.status).toBe(200);
    clock.advance(STEP);
    const login = await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD });
    const verified = await t.http.post(`/v1/auth/challenges/${login.body.challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(secret, clock),
    });
    expect(verified.status).toBe(200);
    clock.advance(STEP);
    return { ...user, factorId, secret, token: verified.body.token as string, enrolmentToken: enrolled.body.token };
  }

  /** One more aal 2 session of the user, opened through a challenge (so after the factor existed). */
  async function anotherSession(user: { email: string; secret: string }) {
    const login = await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD });
    const verified = await t.http.post(`/v1/auth/challenges/${login.body.challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(user.secret, clock),
    });
    expect(verified.status).toBe(200);
    clock.advance(STEP);
    return verified.body.token as string;
  }

  const stepUp = (token: string, code: string, method = 'totp') =>
    t.http.post('/v1/auth/step-up', { method, code }, token);
  const changePassword = (token: string, newPassword = `new ${Math.random()} passphrase`) =>
    t.http.post('/v1/me/password', { currentPassword: PASSWORD, newPassword }, token);

  it('blocks a password change 11 minutes after the last check, and allows it after a step-up', async () => {
    const user = await aUserSignedInWithTotp();
    clock.advance(11 * MINUTE);
    const stale = await changePassword(user.token);
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('reauth_required');

    const res = await stepUp(user.token, totpCodeAt(user.secret, clock));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.stringMatching(/^sgs_/),
      session: {
        id: expect.any(String),
        expiresAt: expect.any(String),
        authenticatedAt: clock.now().toISOString(),
        aal: 2,
        amr: ['pwd', 'otp'],
      },
    });
    expect((await changePassword(res.body.token)).status).toBe(204);
  });

  it('keeps a password change within the window allowed, and needs the current password still', async () => {
    const user = await aUserSignedInWithTotp();
    clock.advance(9 * MINUTE);
    const wrong = await t.http.post(
      '/v1/me/password',
      { currentPassword: 'nope', newPassword: 'x'.repeat(20) },
      user.token,
    );
    expect(wrong.body.code).toBe('invalid_credentials');
    expect((await changePassword(user.token)).status).toBe(204);
  });

  it('refuses a wrong code and a method the user lacks with the same 401, and a code already used with 409', async () => {
    const user = await aUserSignedInWithTotp();
    const other = await anotherSession(user);
    const code = totpCodeAt(user.secret, clock);
    expect((await stepUp(user.token, code)).status).toBe(200);
    const answers = [
      await stepUp(other, code === '000000' ? '000001' : '000000'),
      await stepUp(other, code, 'backup_code'),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(answers[0]!.body);
      expect(res.body.code).toBe('mfa_code_invalid');
    }
    // The same code in another session of the user: it matched, and it is spent.
    const replay = await stepUp(other, code);
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('code_already_used');
  });

  it('does not renew the window on a refused step-up', async () => {
    const user = await aUserSignedInWithTotp();
    clock.advance(11 * MINUTE);
    expect((await stepUp(user.token, '123456x')).status).toBe(401);
    expect((await changePassword(user.token)).body.code).toBe('reauth_required');
  });

  it('gives the session a new token: the old one is dead at once, the new one carries on', async () => {
    const user = await aUserSignedInWithTotp();
    const before = await t.http.get('/v1/me', user.token);
    const res = await stepUp(user.token, totpCodeAt(user.secret, clock));
    expect(res.status).toBe(200);
    expect(res.body.token).not.toBe(user.token);
    expect((await t.http.get('/v1/me', user.token)).status).toBe(401);
    const after = await t.http.get('/v1/me', res.body.token);
    expect(after.body.session).toMatchObject({ id: before.body.session.id, aal: 2 });
  });

  it('does not let a factor step up the session it was enrolled in', async () => {
    const user = await aUserSignedInWithTotp();
    // The session the factor was enrolled in survives its enrolment (it is the current one there) ...
    expect((await t.http.get('/v1/me', user.enrolmentToken)).status).toBe(200);
    // ... but the factor it added proves nothing in it: a step-up there refuses it.
    clock.advance(STEP);
    const res = await stepUp(user.enrolmentToken, totpCodeAt(user.secret, clock));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('mfa_code_invalid');
  });

  it('allows five tries per session, then 429', async () => {
    const user = await aUserSignedInWithTotp();
    for (let i = 0; i < 5; i++) expect((await stepUp(user.token, '111111')).status).toBe(401);
    const over = await stepUp(user.token, totpCodeAt(user.secret, clock));
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('needs a signed-in session, and audits successes and refusals without the code', async () => {
    expect((await t.http.post('/v1/auth/step-up', { method: 'totp', code: '123456' })).status).toBe(401);
    const user = await aUserSignedInWithTotp();
    const code = totpCodeAt(user.secret, clock);
    await stepUp(user.token, '222222');
    await stepUp(user.token, code);
    const rows = await t.sql<{ action: string; outcome: string; details: Record<string, unknown> }>(
      `select action, outcome, details from audit_events where action like 'StepUp%' and actor_id = $1 order by seq`,
      [user.id],
    );
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual(['StepUpFailed:failure', 'StepUpSucceeded:success']);
    expect(rows[1]!.details).toMatchObject({ method: 'totp', matchedId: user.factorId, amr: ['pwd', 'otp'] });
    expect(JSON.stringify(rows)).not.toContain(code);
    expect(JSON.stringify(rows)).not.toContain('222222');
  });

  it('refuses a method the tenant’s policy does not allow, as login does', async () => {
    const user = await aUserSignedInWithTotp();
    const other = await anotherSession(user);
    await setMfaPolicy(t.http, acme, { allowedMethods: ['email'] });
    try {
      const refused = await stepUp(user.token, totpCodeAt(user.secret, clock));
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('mfa_code_invalid');
    } finally {
      await setMfaPolicy(t.http, acme, { allowedMethods: ['totp', 'email'] });
    }
    expect((await stepUp(other, totpCodeAt(user.secret, clock))).status).toBe(200);
  });
});

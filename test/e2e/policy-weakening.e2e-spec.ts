import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, PASSWORD, type TenantFixture } from '../support/builders.js';
import { DEFAULT_POLICY } from '../support/policy.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const STEP = 30_000;
/** MFA required of everyone on every app, with the connection check: every weakening below has room. */
const STRICT = { ...DEFAULT_POLICY, requireMfa: true, connectionPolicy: { totpPriorConnection: true } };

/** Every policy change that lowers protection for anyone needs the admin's password and a current code. */
describe('weakening the MFA policy', () => {
  const clock = new ManualClock('2030-08-01T09:00:10Z');
  let t: TestApp;
  let smtp: TestSmtp;
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

  const save = (body: object, token: string) => t.http.put('/v1/admin/mfa-policy', body, token);
  const read = (token: string) => t.http.get('/v1/admin/mfa-policy', token);
  const changes = () =>
    t.sql<{ outcome: string; details: Record<string, any> }>(
      `select outcome, details from audit_events where tenant_id = $1 and action = 'PolicyChanged' order by seq`,
      [acme.id],
    );

  /** The tenant's admin with an authenticator app, under the STRICT policy (version 1). */
  async function anAdminWithTotp() {
    const { factorId, secret } = await enrolTotp(t.http, acme.admin.token);
    const verified = await verifyFactor(t.http, acme.admin.token, factorId, totpCodeAt(secret, clock));
    expect(verified.status).toBe(200);
    clock.advance(STEP);
    // A code is proof only in a session opened after its factor existed: the admin signs in with it.
    const token = await signInWithTotp(t.http, acme, { email: acme.admin.email, secret }, clock);
    expect((await save(STRICT, token)).status).toBe(200);
    clock.advance(STEP);
    return { token, secret, confirmation: () => ({ password: PASSWORD, code: totpCodeAt(secret, clock) }) };
  }

  it.each([
    ['narrowing the roles it covers ([] is every role)', { requiredRoles: ['admin'] }, 'requiredRoles'],
    ['enforcing it on fewer apps', { enforceOn: ['console'] }, 'enforceOn'],
    ['enforcing it on no app', { enforceOn: [] }, 'enforceOn'],
    ['removing an allowed method', { allowedMethods: ['totp'] }, 'allowedMethods'],
    ['lengthening the grace period', { gracePeriodDays: 30 }, 'gracePeriodDays'],
    ['remembering devices longer', { rememberDeviceDays: 60 }, 'rememberDeviceDays'],
    ['lengthening the re-auth window', { reauthMaxAgeMinutes: 60 }, 'reauthMaxAgeMinutes'],
    ['dropping the connection check', { connectionPolicy: { totpPriorConnection: false } }, 'connectionPolicy'],
    ['turning MFA off', { requireMfa: false }, 'requireMfa'],
  ])('refuses %s without the confirmation, and records it confirmed', async (_what, patch, weakening) => {
    const admin = await anAdminWithTotp();
    const weaker = { ...STRICT, ...patch };
    const bare = await save(weaker, admin.token);
    expect({ status: bare.status, code: bare.body.code }).toEqual({ status: 401, code: 'reauth_required' });
    expect(bare.body.detail).toContain(weakening);
    expect((await read(admin.token)).body.version).toBe(1);

    const done = await save({ ...weaker, confirmation: admin.confirmation() }, admin.token);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ ...patch, version: 2 });
    const entry = (await changes()).filter((e) => e.outcome === 'success').at(-1)!;
    expect(entry.details).toMatchObject({
      weakenings: [weakening],
      confirmedWith: ['password', 'totp'],
      previousPolicy: STRICT,
    });
  });

  it('uses the code up: the same code cannot confirm a second weakening', async () => {
    const admin = await anAdminWithTotp();
    const confirmation = admin.confirmation();
    expect((await save({ ...STRICT, gracePeriodDays: 20, confirmation }, admin.token)).status).toBe(200);
    const replay = await save({ ...STRICT, gracePeriodDays: 30, version: 2, confirmation }, admin.token);
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 401, code: 'mfa_code_invalid' });
    expect((await read(admin.token)).body.gracePeriodDays).toBe(20);
  });

  it('wants both the password and the code of an admin who has an authenticator app', async () => {
    const admin = await anAdminWithTotp();
    const weaker = { ...STRICT, enforceOn: [] };
    const { code } = admin.confirmation();
    const noCode = await save({ ...weaker, confirmation: { password: PASSWORD } }, admin.token);
    expect({ status: noCode.status, code: noCode.body.code }).toEqual({ status: 401, code: 'reauth_required' });
    const wrongPassword = await save({ ...weaker, confirmation: { password: 'not it', code } }, admin.token);
    expect(wrongPassword.body.code).toBe('invalid_credentials');
    const wrongCode = await save({ ...weaker, confirmation: { password: PASSWORD, code: '000000' } }, admin.token);
    expect(wrongCode.body.code).toBe('mfa_code_invalid');
    expect((await read(admin.token)).body.enforceOn).toEqual(STRICT.enforceOn);
  });

  it('asks nothing more of a change that only makes the policy stricter', async () => {
    const admin = await anAdminWithTotp();
    const stricter = { ...STRICT, gracePeriodDays: 3, rememberDeviceDays: 0, reauthMaxAgeMinutes: 5 };
    const res = await save(stricter, admin.token);
    expect(res.status).toBe(200);
    expect((await changes()).at(-1)!.details).not.toHaveProperty('weakenings');
  });

  it('lets an admin with no factor at all confirm with the password alone', async () => {
    const weaker = { ...DEFAULT_POLICY, rememberDeviceDays: 90 };
    const bare = await save(weaker, acme.admin.token);
    expect({ status: bare.status, code: bare.body.code }).toEqual({ status: 401, code: 'reauth_required' });
    const wrong = await save({ ...weaker, confirmation: { password: 'not it' } }, acme.admin.token);
    expect(wrong.body.code).toBe('invalid_credentials');
    const done = await save({ ...weaker, confirmation: { password: PASSWORD } }, acme.admin.token);
    expect(done.status).toBe(200);
    expect((await changes()).at(-1)!.details).toMatchObject({
      weakenings: ['rememberDeviceDays'],
      confirmedWith: ['password'],
    });
  });

  it('refuses an admin whose only factor cannot be checked here (e-mail) with 403 authenticator_required', async () => {
    const enrolled = await t.http.post('/v1/me/factors/email', {}, acme.admin.token);
    expect(enrolled.status).toBe(201);
    const code = /Your code: (\d{6})/.exec((await smtp.nth(acme.admin.email)).text)![1]!;
    const verified = await verifyFactor(t.http, acme.admin.token, enrolled.body.factorId, code);
    expect(verified.status).toBe(200);
    const token = (verified.body.token as string | undefined) ?? acme.admin.token;
    const weaker = { ...DEFAULT_POLICY, reauthMaxAgeMinutes: 60 };
    const refused = await save({ ...weaker, confirmation: { password: PASSWORD } }, token);
    expect({ status: refused.status, code: refused.body.code }).toEqual({
      status: 403,
      code: 'authenticator_required',
    });
    expect((await read(token)).body.reauthMaxAgeMinutes).toBe(DEFAULT_POLICY.reauthMaxAgeMinutes);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { dumpDatabase } from '../support/pg-dump.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const STEP = 30_000;
const CODE_FORMAT = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

describe('backup codes', () => {
  const clock = new ManualClock('2030-04-01T09:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  /** A user whose first authenticator app was just verified, with the backup codes that returned. */
  async function aUserWithCodes() {
    const user = await aUser(t.http, acme);
    const enrolment = await enrolTotp(t.http, user.token);
    const verified = await verifyFactor(t.http, user.token, enrolment.factorId, totpCodeAt(enrolment.secret, clock));
    expect(verified.status).toBe(200);
    clock.advance(STEP);
    return {
      ...user,
      // The first factor raised the session to aal 2, which replaced its token.
      token: verified.body.token as string,
      secret: enrolment.secret,
      factorId: enrolment.factorId,
      codes: verified.body.backupCodes as string[],
    };
  }

  const login = (email: string) => t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });
  const verify = (challengeId: string, code: string, method = 'backup_code') =>
    t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method, code });
  async function signInWithCode(email: string, code: string) {
    const challenge = await login(email);
    expect(challenge.body.methods).toContain('backup_code');
    return verify(challenge.body.challengeId, code);
  }
  const regenerate = (token: string) => t.http.post('/v1/me/backup-codes', undefined, token);

  it('returns 10 distinct well-formed codes with the first factor, none with the second', async () => {
    const user = await aUserWithCodes();
    expect(user.codes).toHaveLength(10);
    expect(new Set(user.codes).size).toBe(10);
    for (const code of user.codes) expect(code).toMatch(CODE_FORMAT);

    // A second factor needs a fresh check with the first: a session opened through its challenge.
    const token = await signInWithTotp(t.http, acme, user, clock);
    const second = await enrolTotp(t.http, token);
    const res = await verifyFactor(t.http, token, second.factorId, totpCodeAt(second.secret, clock));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ factor: { id: second.factorId, type: 'totp', status: 'active' } });
    expect((await t.http.get('/v1/me', token)).body.mfa.backupCodesRemaining).toBe(10);
  });

  it('opens a degraded aal 2 session with each code, once', async () => {
    const user = await aUserWithCodes();
    const [code] = user.codes;
    const res = await signInWithCode(user.email, code!);
    expect(res.status).toBe(200);
    expect(res.body.session).toMatchObject({ aal: 2, amr: ['pwd', 'backup_code'] });
    const me = await t.http.get('/v1/me', res.body.token);
    expect(me.body.session).toMatchObject({ aal: 2, amr: ['pwd', 'backup_code'], degraded: true });

    const wrong = await signInWithCode(user.email, 'zzzzz-zzzzz');
    const reused = await signInWithCode(user.email, code!);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('mfa_code_invalid');
    expect(reused.status).toBe(401);
    expect(reused.body).toEqual(wrong.body);
  });

  it('accepts a code typed in capitals, without the dash or with spaces', async () => {
    const user = await aUserWithCodes();
    const [a, b] = user.codes;
    expect((await signInWithCode(user.email, a!.toUpperCase().replace('-', ''))).status).toBe(200);
    expect((await signInWithCode(user.email, b!.replace('-', ' '))).status).toBe(200);
  });

  it('lets one of 10 concurrent sign-ins with the same code through', async () => {
    const user = await aUserWithCodes();
    const challenges = await Promise.all(Array.from({ length: 10 }, () => login(user.email)));
    const results = await Promise.all(challenges.map((c) => verify(c.body.challengeId, user.codes[0]!)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    // A loser that matched before the winner spent the code is told it is used (409); one that looked
    // after finds no such unused code (401). (mfa-brute-force holds the race to pin the 409.)
    expect(results.filter((r) => r.status === 409 || r.status === 401)).toHaveLength(9);
    expect((await t.http.get('/v1/me', user.token)).body.mfa.backupCodesRemaining).toBe(9);
  });

  it('regenerates a whole new set: the old codes stop working', async () => {
    const user = await aUserWithCodes();
    const res = await regenerate(user.token);
    expect(res.status).toBe(201);
    const fresh = res.body.backupCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((c) => user.codes.includes(c))).toEqual([]);
    expect((await signInWithCode(user.email, user.codes[0]!)).status).toBe(401);
    expect((await signInWithCode(user.email, fresh[0]!)).status).toBe(200);
    const events = await t.sql<{ action: string }>(
      `select action from audit_events where actor_id = $1 and action like 'BackupCode%' order by seq`,
      [user.id],
    );
    expect(events.map((e) => e.action)).toEqual(['BackupCodesGenerated', 'BackupCodesRegenerated', 'BackupCodeUsed']);
  });

  it('refuses to regenerate from a degraded session, a stale one, or without a factor', async () => {
    const user = await aUserWithCodes();
    const degraded = (await signInWithCode(user.email, user.codes[0]!)).body.token;
    const refused = await regenerate(degraded);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('degraded_session');

    const real = await verify((await login(user.email)).body.challengeId, totpCodeAt(user.secret, clock), 'totp');
    expect(real.status).toBe(200);
    clock.advance(t.config.env.REAUTH_MAX_AGE_MINUTES * 60_000 + 1_000);
    const stale = await regenerate(real.body.token);
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('reauth_required');
    expect((await signInWithCode(user.email, user.codes[1]!)).status).toBe(200);

    const noFactor = await aUser(t.http, acme);
    const conflict = await regenerate(noFactor.token);
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('conflict');
  });

  it('makes a degraded session whole once a new factor is enrolled in it, without renewing its re-auth window', async () => {
    const user = await aUserWithCodes();
    const degraded = (await signInWithCode(user.email, user.codes[0]!)).body.token as string;
    expect((await t.http.get('/v1/me', degraded)).body.session).toMatchObject({ degraded: true });
    const enrolment = await enrolTotp(t.http, degraded);
    const verified = await verifyFactor(t.http, degraded, enrolment.factorId, totpCodeAt(enrolment.secret, clock));
    expect(verified.status).toBe(200);
    const me = (await t.http.get('/v1/me', degraded)).body;
    expect(me.session).toMatchObject({ degraded: false, aal: 2, amr: ['pwd', 'backup_code', 'otp'] });
    expect((await regenerate(degraded)).status).toBe(201);
    clock.advance(t.config.env.REAUTH_MAX_AGE_MINUTES * 60_000 + 1_000);
    expect((await regenerate(degraded)).body.code).toBe('reauth_required');
  });

  it('lets a degraded session remove a factor with the password', async () => {
    const user = await aUserWithCodes();
    const degraded = (await signInWithCode(user.email, user.codes[0]!)).body.token as string;
    const removed = await t.http.request('DELETE', `/v1/me/factors/${user.factorId}`, {
      token: degraded,
      body: { password: PASSWORD },
    });
    expect(removed.status).toBe(204);
    expect((await login(user.email)).body.status).toBe('authenticated');
  });

  it('shows in /v1/me how many codes remain, and says so when two or fewer do', async () => {
    const user = await aUserWithCodes();
    const before = (await t.http.get('/v1/me', user.token)).body;
    expect(before.mfa).toEqual({
      enrolled: true,
      factors: [
        {
          id: user.factorId,
          type: 'totp',
          label: 'Authenticator app',
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
        },
      ],
      backupCodesRemaining: 10,
      backupCodesLow: false,
      required: false,
      status: 'exempt',
    });
    for (const code of user.codes.slice(0, 7)) expect((await signInWithCode(user.email, code)).status).toBe(200);
    expect((await t.http.get('/v1/me', user.token)).body.mfa).toMatchObject({
      backupCodesRemaining: 3,
      backupCodesLow: false,
    });
    expect((await signInWithCode(user.email, user.codes[7]!)).status).toBe(200);
    expect((await t.http.get('/v1/me', user.token)).body.mfa).toMatchObject({
      backupCodesRemaining: 2,
      backupCodesLow: true,
    });

    const plain = await aUser(t.http, acme);
    expect((await t.http.get('/v1/me', plain.token)).body.mfa).toEqual({
      enrolled: false,
      factors: [],
      backupCodesRemaining: 0,
      backupCodesLow: false,
      required: false,
      status: 'exempt',
    });
  });

  it('never stores or audits a code in clear: not in a dump of the whole database', async () => {
    const user = await aUserWithCodes();
    await signInWithCode(user.email, user.codes[0]!);
    const dump = await dumpDatabase(t.databaseUrl);
    const audit = JSON.stringify(await t.sql(`select details from audit_events where actor_id = $1`, [user.id]));
    for (const code of user.codes) {
      for (const form of [code, code.replace('-', '')]) {
        expect(dump).not.toContain(form);
        expect(audit).not.toContain(form);
      }
    }
    expect(dump).toContain(user.id);
  });
});

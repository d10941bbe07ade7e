import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ScureBase32Plugin } from 'otplib';
import pg from 'pg';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { dumpDatabase } from '../support/pg-dump.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const INVALID = { status: 401, code: 'mfa_code_invalid' };
const ALREADY_USED = { status: 409, code: 'code_already_used' };
const outcome = (res: { status: number; body: { code?: string } }) => ({ status: res.status, code: res.body?.code });

describe('TOTP enrolment', () => {
  // 10 s into a 30 s step, so "one step either side" is never a matter of milliseconds.
  const clock = new ManualClock('2030-01-01T08:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  let db: pg.Client;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const factorRow = async (id: string) => (await db.query('select * from factors where id = $1', [id])).rows[0];
  const auditOf = async (factorId: string) =>
    (await db.query('select action, outcome, details from audit_events where target_id = $1 order by seq', [factorId]))
      .rows;

  it('enrols with a pending factor, an otpauth URI naming tenant and user, and a QR code', async () => {
    const user = await aUser(t.http, acme);
    const res = await t.http.post('/v1/me/factors/totp', { label: 'Work phone' }, user.token);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['factorId', 'otpauthUri', 'qrCodeDataUrl', 'secret']);
    expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(res.body.otpauthUri);
    expect(decodeURIComponent(uri.pathname)).toBe(`/Tenant ${acme.slug}:${user.email}`);
    expect(uri.searchParams.get('secret')).toBe(res.body.secret);
    expect(uri.searchParams.get('issuer')).toBe(`Tenant ${acme.slug}`);
    expect(res.body.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(await factorRow(res.body.factorId)).toMatchObject({ status: 'pending', type: 'totp', label: 'Work phone' });
  });

  it('activates the factor with its first code, and records the enrolment without secret or code', async () => {
    const user = await aUser(t.http, acme);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    const code = totpCodeAt(secret, clock);
    const res = await verifyFactor(t.http, user.token, factorId, code);
    expect(res.status).toBe(200);
    // The first factor raises the session to aal 2, which replaces its token.
    expect(res.body).toEqual({
      factor: { id: factorId, type: 'totp', status: 'active' },
      backupCodes: expect.any(Array),
      token: expect.stringMatching(/^sgs_/),
    });
    expect((await t.http.get('/v1/me', user.token)).status).toBe(401);
    expect((await t.http.get('/v1/me', res.body.token)).body.session.aal).toBe(2);
    const row = await factorRow(factorId);
    expect(row).toMatchObject({ status: 'active', label: 'Authenticator app' });
    expect(row.verified_at.toISOString()).toBe(clock.now().toISOString());
    expect(Number(row.last_used_step)).toBe(Math.floor(clock.now().getTime() / 30_000));
    const audit = await auditOf(factorId);
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([
      ['FactorEnrollmentStarted', 'success'],
      ['FactorEnrolled', 'success'],
    ]);
    expect(audit[1].details).toEqual({
      factorType: 'totp',
      label: 'Authenticator app',
      sessionsEnded: 0,
      tokenRotated: true,
    });
    const details = JSON.stringify(audit.map((a) => a.details));
    expect(details).not.toContain(secret);
    expect(details).not.toContain(code);
  });

  it('refuses a wrong code, a malformed one and the same code twice with one and the same answer', async () => {
    const user = await aUser(t.http, acme);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    const code = totpCodeAt(secret, clock);
    const wrong = await verifyFactor(t.http, user.token, factorId, code === '000000' ? '000001' : '000000');
    expect(outcome(wrong)).toEqual(INVALID);
    expect(outcome(await verifyFactor(t.http, user.token, factorId, 'abc'))).toEqual(INVALID);
    const verified = await verifyFactor(t.http, user.token, factorId, code);
    expect(verified.status).toBe(200);
    const replay = await verifyFactor(t.http, verified.body.token, factorId, code);
    expect(replay.body).toEqual(wrong.body);
    const failures = (await auditOf(factorId)).filter((a) => a.outcome === 'failure');
    expect(failures.map((a) => a.details.refusal)).toEqual(['wrong_code', 'wrong_code', 'not_pending']);
    expect(JSON.stringify(failures)).not.toContain(code);
  });

  it('accepts the same code from 20 concurrent requests exactly once', async () => {
    const user = await aUser(t.http, acme);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    const code = totpCodeAt(secret, clock);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => verifyFactor(t.http, user.token, factorId, code)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    // A loser that raced the winner for the code is told it was used; one that came after, that it is
    // invalid; one whose request came after the winner had replaced the session's token, that it is dead.
    for (const loser of results.filter((r) => r.status !== 200)) {
      expect([INVALID, ALREADY_USED, { status: 401, code: 'unauthorized' }]).toContainEqual(outcome(loser));
    }
    const audit = await auditOf(factorId);
    expect(audit.filter((a) => a.action === 'FactorEnrolled')).toHaveLength(1);
    const refusedInside = results.filter((r) => r.status !== 200 && r.body.code !== 'unauthorized');
    expect(audit.filter((a) => a.action === 'FactorVerificationFailed')).toHaveLength(refusedInside.length);
  });

  it('accepts codes from steps -1, 0 and +1 and refuses -2 and +2', async () => {
    const verdicts: Record<number, number> = {};
    for (const offset of [-2, -1, 0, 1, 2]) {
      const user = await aUser(t.http, acme);
      const { factorId, secret } = await enrolTotp(t.http, user.token);
      verdicts[offset] = (await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock, offset))).status;
    }
    expect(verdicts).toEqual({ '-2': 401, '-1': 200, '0': 200, '1': 200, '2': 401 });
  });

  it("answers another user's, another tenant's and an unknown factor id exactly like a wrong code", async () => {
    const alice = await aUser(t.http, acme);
    const bob = await aUser(t.http, acme);
    const globex = await aTenant(t.http);
    const mallory = await aUser(t.http, globex);
    const alices = await enrolTotp(t.http, alice.token);
    const code = totpCodeAt(alices.secret, clock);
    const wrong = await verifyFactor(t.http, alice.token, alices.factorId, code === '000000' ? '000001' : '000000');
    for (const [token, factorId] of [
      [bob.token, alices.factorId],
      [mallory.token, alices.factorId],
      [globex.admin.token, alices.factorId],
      [alice.token, randomUUID()],
    ] as const) {
      const res = await verifyFactor(t.http, token, factorId, code);
      expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: wrong.body });
    }
    expect((await factorRow(alices.factorId)).status).toBe('pending');
    expect((await verifyFactor(t.http, alice.token, alices.factorId, code)).status).toBe(200);
  });

  it('refuses to verify a factor left pending for 15 minutes', async () => {
    const user = await aUser(t.http, acme);
    const fresh = await enrolTotp(t.http, user.token);
    const stale = await enrolTotp(t.http, user.token);
    clock.advance(15 * 60_000 - 1_000);
    const verified = await verifyFactor(t.http, user.token, fresh.factorId, totpCodeAt(fresh.secret, clock));
    expect(verified.status).toBe(200);
    clock.advance(1_000);
    const late = await verifyFactor(t.http, verified.body.token, stale.factorId, totpCodeAt(stale.secret, clock));
    expect(outcome(late)).toEqual(INVALID);
    expect((await auditOf(stale.factorId)).at(-1).details.refusal).toBe('expired');
  });

  it('allows five authenticator apps per user, pending ones included, and answers 409 beyond', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const token = await signInWithTotp(t.http, acme, user, clock);
    const enrolments = await Promise.all(
      Array.from({ length: 6 }, () => t.http.post('/v1/me/factors/totp', {}, token)),
    );
    expect(enrolments.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 409, 409]);
    expect(enrolments.find((r) => r.status === 409)!.body.code).toBe('conflict');
    clock.advance(15 * 60_000);
    // Past the re-auth window: a step-up with the existing factor, then the slot freed by the expiry is usable.
    const steppedUp = await t.http.post(
      '/v1/auth/step-up',
      { method: 'totp', code: totpCodeAt(user.secret, clock) },
      token,
    );
    expect(steppedUp.status).toBe(200);
    expect((await t.http.post('/v1/me/factors/totp', {}, steppedUp.body.token)).status).toBe(201);
  });

  it('never stores the secret readably: a dump of the whole database does not contain it', async () => {
    const user = await aUser(t.http, acme);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock));
    const raw = Buffer.from(new ScureBase32Plugin().decode(secret));
    const dump = await dumpDatabase(t.databaseUrl);
    expect(dump).toContain(factorId);
    for (const form of [
      secret,
      secret.toLowerCase(),
      raw.toString('hex'),
      raw.toString('base64'),
      raw.toString('base64url'),
    ]) {
      expect(dump).not.toContain(form);
    }
    const row = await factorRow(factorId);
    expect(row.secret_key_id).toBe(t.config.encryptionKeys.at(-1)!.id);
    expect(row.secret_ciphertext).toMatch(/^v1\./);
  });

  it('validates the request: a factor id that is not a UUID, unknown fields, a missing code', async () => {
    const user = await aUser(t.http, acme);
    expect((await verifyFactor(t.http, user.token, 'not-a-uuid', '123456')).status).toBe(400);
    expect((await t.http.post('/v1/me/factors/totp', { label: 'x', extra: 1 }, user.token)).status).toBe(400);
    const { factorId } = await enrolTotp(t.http, user.token);
    expect((await t.http.post(`/v1/me/factors/${factorId}/verify`, {}, user.token)).status).toBe(400);
    expect((await t.http.post('/v1/me/factors/totp', {})).status).toBe(401);
  });

  it('documents both routes with their request bodies', async () => {
    const doc = (await t.http.get('/openapi.json')).body;
    expect(doc.paths['/v1/me/factors/totp'].post.requestBody).toBeDefined();
    expect(doc.paths['/v1/me/factors/{factorId}/verify'].post.requestBody).toBeDefined();
  });
});

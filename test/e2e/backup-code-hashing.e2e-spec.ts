import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const canonical = (code: string) => code.replace('-', '');

/** A leaked backup_codes row alone must not let anyone search 2^50 codes offline. */
describe('backup code hashing', () => {
  const clock = new ManualClock('2030-04-01T09:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  async function aUserWithCodes() {
    const user = await aUser(t.http, acme);
    const enrolment = await enrolTotp(t.http, user.token);
    const verified = await verifyFactor(t.http, user.token, enrolment.factorId, totpCodeAt(enrolment.secret, clock));
    expect(verified.status).toBe(200);
    clock.advance(30_000);
    // The first factor raised the session to aal 2, which replaced its token.
    return {
      ...user,
      token: verified.body.token as string,
      tenantId: acme.id,
      codes: verified.body.backupCodes as string[],
    };
  }

  const rows = (userId: string) =>
    t.sql<{ id: string; code_hash: string; hash_scheme: string; hash_key_id: string | null }>(
      'select id, code_hash, hash_scheme, hash_key_id from backup_codes where user_id = $1',
      [userId],
    );

  async function signInWithCode(email: string, code: string) {
    const { challengeId } = (await t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD }))
      .body;
    return t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method: 'backup_code', code });
  }

  it('stores new codes as an HMAC under a key derived from the encryption key, never an unkeyed hash', async () => {
    const user = await aUserWithCodes();
    const [newest] = t.config.encryptionKeys.slice(-1);
    const key = Buffer.from(hkdfSync('sha256', newest!.key, Buffer.alloc(0), 'stepguard backup-code hmac v1', 32));
    const keyed = (code: string) =>
      createHmac('sha256', key)
        .update(`${acme.id}\0${user.id}\0${canonical(code)}`)
        .digest('hex');
    const unkeyed = (code: string) =>
      createHash('sha256')
        .update(`${acme.id}:${user.id}:${canonical(code)}`)
        .digest('hex');

    const stored = await rows(user.id);
    expect(stored).toHaveLength(10);
    expect(new Set(stored.map((r) => `${r.hash_scheme}/${r.hash_key_id}`))).toEqual(
      new Set([`hmac-sha256/${newest!.id}`]),
    );
    expect(stored.map((r) => r.code_hash).sort()).toEqual(user.codes.map(keyed).sort());
    expect(stored.map((r) => r.code_hash)).not.toEqual(expect.arrayContaining([unkeyed(user.codes[0]!)]));
    expect((await signInWithCode(user.email, user.codes[0]!)).status).toBe(200);
  });

  it('still accepts codes stored under the earlier salted SHA-256, once each, until they are regenerated', async () => {
    const user = await aUserWithCodes();
    // Rows as the earlier release wrote them.
    const legacy = (code: string) =>
      createHash('sha256')
        .update(`${acme.id}:${user.id}:${canonical(code)}`)
        .digest('hex');
    const stored = await rows(user.id);
    for (const [i, row] of stored.entries()) {
      await t.sql(`update backup_codes set code_hash = $2, hash_scheme = 'sha256', hash_key_id = null where id = $1`, [
        row.id,
        legacy(user.codes[i]!),
      ]);
    }

    const first = await signInWithCode(user.email, user.codes[0]!);
    expect(first.status).toBe(200);
    expect(first.body.session.amr).toContain('backup_code');
    expect((await signInWithCode(user.email, user.codes[0]!)).status).toBe(401);

    const regenerated = await t.http.post('/v1/me/backup-codes', undefined, user.token);
    expect(regenerated.status).toBe(201);
    const codes = regenerated.body.backupCodes as string[];
    expect((await rows(user.id)).every((r) => r.hash_scheme === 'hmac-sha256')).toBe(true);
    expect((await signInWithCode(user.email, user.codes[1]!)).status).toBe(401);
    expect((await signInWithCode(user.email, codes[0])).status).toBe(200);
  });
});

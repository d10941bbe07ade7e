import { describe, expect, it } from '@jest/globals';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../src/common/app-config.js';
import { ManualClock } from '../../src/common/clock.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { EnrolmentCookies } from '../../src/web/enrolment-cookies.js';

const PENDING = {
  factorId: '7d0c3c56-5f57-4a4e-9b0e-1f2a3b4c5d6e',
  secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  otpauthUri: 'otpauth://totp/Acme:ann%40acme.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme',
};
const CODES = ['k7am3-g6ynx', '70d8n-v6sr6'];

/** A response that records the cookies set on it, and a request that sends them back. */
function browser() {
  const jar = new Map<string, { value: string; options: Record<string, unknown> }>();
  const res = {
    cookie: (name: string, value: string, options: Record<string, unknown>) => jar.set(name, { value, options }),
    clearCookie: (name: string) => jar.delete(name),
  } as unknown as Response;
  const req = () =>
    ({
      get: (header: string) =>
        header === 'cookie'
          ? [...jar].map(([name, c]) => `${name}=${encodeURIComponent(c.value)}`).join('; ')
          : undefined,
    }) as unknown as Request;
  return { jar, res, req };
}

describe('the enrolment pages’ sealed cookies', () => {
  const clock = new ManualClock('2030-05-06T09:00:00Z');
  const box = new SecretBox([{ id: 'k1', key: randomBytes(32) }]);
  const cookies = new EnrolmentCookies(box, { publicUrl: 'https://id.example' } as AppConfig, clock);

  it('gives back what it kept, to the same session, in an HttpOnly cookie scoped to its pages that hides the key', () => {
    const b = browser();
    cookies.keepTotp(b.res, 'session-a', PENDING);
    cookies.keepBackupCodes(b.res, 'session-a', CODES);
    expect(cookies.totpOf(b.req(), 'session-a')).toEqual(PENDING);
    expect(cookies.backupCodesOf(b.req(), 'session-a')).toEqual(CODES);
    const totp = b.jar.get('sg_totp')!;
    expect(totp.options).toMatchObject({ httpOnly: true, secure: true, sameSite: 'lax', path: '/account/mfa/totp' });
    expect(b.jar.get('sg_codes')!.options).toMatchObject({ path: '/account/mfa/backup-codes' });
    expect(totp.value).not.toContain(PENDING.secret);
    expect(b.jar.get('sg_codes')!.value).not.toContain(CODES[0]);
  });

  it('opens nothing for another session, an altered cookie or one past its time', () => {
    const b = browser();
    cookies.keepTotp(b.res, 'session-a', PENDING);
    expect(cookies.totpOf(b.req(), 'session-b')).toBeNull();

    const kept = b.jar.get('sg_totp')!;
    // A character inside the ciphertext (the last one may only carry padding bits).
    const at = kept.value.length - 10;
    const altered = `${kept.value.slice(0, at)}${kept.value[at] === 'A' ? 'B' : 'A'}${kept.value.slice(at + 1)}`;
    b.jar.set('sg_totp', { ...kept, value: altered });
    expect(cookies.totpOf(b.req(), 'session-a')).toBeNull();
    b.jar.set('sg_totp', { ...kept, value: 'not a sealed value' });
    expect(cookies.totpOf(b.req(), 'session-a')).toBeNull();

    cookies.keepTotp(b.res, 'session-a', PENDING);
    clock.advance(15 * 60_000);
    expect(cookies.totpOf(b.req(), 'session-a')).toBeNull();
  });

  it('forgets a cookie once dropped', () => {
    const b = browser();
    cookies.keepBackupCodes(b.res, 'session-a', CODES);
    cookies.dropBackupCodes(b.res);
    expect(cookies.backupCodesOf(b.req(), 'session-a')).toBeNull();
  });
});

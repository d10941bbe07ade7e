import { describe, expect, it } from '@jest/globals';
import { generateSync } from 'otplib';
import { randomBytes } from 'node:crypto';
import { matchTotpStep, timeStepAt, TOTP_WINDOW_STEPS } from '../../src/factors/totp/totp.js';

// RFC 6238 Appendix B, SHA-1 column: the 20-byte ASCII seed, 8-digit codes, T0 = 0, X = 30 s.
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: [seconds: number, step: number, code: string][] = [
  [59, 0x1, '94287082'],
  [1111111109, 0x23523ec, '07081804'],
  [1111111111, 0x23523ed, '14050471'],
  [1234567890, 0x273ef07, '89005924'],
  [2000000000, 0x3f940aa, '69279037'],
  [20000000000, 0x27bc86aa, '65353130'],
];

/** An independent oracle for test codes: otplib's own HOTP, not our step logic. */
const codeAt = (secret: Uint8Array, step: number) => generateSync({ strategy: 'hotp', secret, counter: step });

describe('TOTP (RFC 6238) through our verification path', () => {
  it.each(RFC_VECTORS)('matches the RFC 6238 SHA-1 vector at T=%i (step %i)', (seconds, step, code) => {
    const at = new Date(seconds * 1000);
    expect(timeStepAt(at)).toBe(step);
    expect(matchTotpStep(RFC_SEED, code, at, { digits: 8 })).toBe(step);
  });

  it('refuses each RFC vector one digit off', () => {
    for (const [seconds, , code] of RFC_VECTORS) {
      const wrong = code.slice(0, 7) + String((Number(code[7]) + 1) % 10);
      expect(matchTotpStep(RFC_SEED, wrong, new Date(seconds * 1000), { digits: 8 })).toBeNull();
    }
  });

  it('accepts codes from one step either side of now and no further', () => {
    expect(TOTP_WINDOW_STEPS).toBe(1);
    const secret = randomBytes(20);
    const now = new Date('2030-01-01T00:00:10Z');
    const step = timeStepAt(now);
    const verdicts = [-2, -1, 0, 1, 2].map((offset) => matchTotpStep(secret, codeAt(secret, step + offset), now));
    expect(verdicts).toEqual([null, step - 1, step, step + 1, null]);
  });

  it('accepts a code typed with spaces, and refuses anything not six digits', () => {
    const secret = randomBytes(20);
    const now = new Date('2030-01-01T00:00:10Z');
    const code = codeAt(secret, timeStepAt(now));
    expect(matchTotpStep(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(timeStepAt(now));
    for (const bad of ['', code.slice(0, 5), `${code}0`, `${code.slice(0, 5)}x`, `+${code.slice(1)}`]) {
      expect(matchTotpStep(secret, bad, now)).toBeNull();
    }
  });
});

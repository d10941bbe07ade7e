import { generateSync } from 'otplib';
import { constantTimeEqual } from '../../common/crypto/tokens.js';

/** RFC 6238 as every authenticator app does it by default: HMAC-SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** 160 bits: RFC 4226's recommended secret length, the size of an HMAC-SHA-1 output. */
export const TOTP_SECRET_BYTES = 20;
/**
 * Accept one step either side of now (RFC 6238 §5.2): absorbs a phone clock up to ~30 s off and the
 * seconds spent typing; every extra step would hand a guesser more valid codes per try.
 */
export const TOTP_WINDOW_STEPS = 1;

export interface TotpOptions {
  /** 6 for every factor we store; the RFC 6238 test vectors use 8. */
  digits?: number;
  window?: number;
}

/** The RFC 6238 time step (T) containing `at`. */
export function timeStepAt(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of one time step: HOTP (RFC 4226) of the step counter, computed by otplib. */
export function totpCode(secret: Uint8Array, step: number, digits = TOTP_DIGITS): string {
  return generateSync({ strategy: 'hotp', secret, counter: step, digits });
}

/**
 * The time step whose code `code` is, within the window around `at`, or null. The step and window
 * logic is ours (otplib only computes codes), so replay protection can accept exactly this step.
 */
export function matchTotpStep(secret: Uint8Array, code: string, at: Date, options: TotpOptions = {}): number | null {
  const digits = options.digits ?? TOTP_DIGITS;
  const window = options.window ?? TOTP_WINDOW_STEPS;
  const candidate = code.replace(/\s+/g, '');
  const wellFormed = candidate.length === digits && /^\d+$/.test(candidate);
  const now = timeStepAt(at);
  let matched: number | null = null;
  for (let step = Math.max(0, now - window); step <= now + window; step++) {
    // Every step is computed and compared in constant time, with no early exit: how long this takes
    // says nothing about whether, or where, the code matched.
    const equal = constantTimeEqual(totpCode(secret, step, digits), candidate);
    // The latest matching step wins: recording it means a code that happens to match two steps
    // cannot be replayed as the other one.
    if (equal) matched = step;
  }
  return wellFormed ? matched : null;
}

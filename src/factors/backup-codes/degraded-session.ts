import type { AuthMethod } from '../../sessions/index.js';

/** Methods that prove the user holds a factor (a backup code proves only that they hold a piece of paper). */
const REAL_FACTORS: readonly AuthMethod[] = ['otp', 'email'];

/**
 * A session opened with a backup code is degraded until a real factor is verified in it (step-up):
 * a spare code is weaker proof than a factor the user holds, so such a session may not mint new
 * codes. Derived from `amr`, never stored.
 */
export function isDegraded(session: { amr: readonly AuthMethod[] }): boolean {
  return session.amr.includes('backup_code') && !session.amr.some((m) => REAL_FACTORS.includes(m));
}

import { randomBytes } from 'node:crypto';

/** How many codes a set holds; regenerating replaces the whole set. */
export const BACKUP_CODES_PER_SET = 10;

/**
 * Crockford's base32 alphabet: no i, l, o or u, so nothing reads as another character; a typed
 * o, i or l is read as 0, 1, 1. 32 symbols = 5 bits each, so 10 characters carry 50 random bits.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 10;
const CANONICAL = /^[0-9a-hjkmnp-tv-z]{10}$/;

/** A fresh code formatted `xxxxx-xxxxx`. Each byte gives 5 bits (256 is a multiple of 32: no bias). */
export function newBackupCode(): string {
  const chars = [...randomBytes(CODE_LENGTH)].map((byte) => ALPHABET[byte & 31]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** What the user typed, in canonical form (case, dashes and spaces ignored), or null if it cannot be a code. */
export function normaliseBackupCode(input: string): string | null {
  const canonical = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  return CANONICAL.test(canonical) ? canonical : null;
}

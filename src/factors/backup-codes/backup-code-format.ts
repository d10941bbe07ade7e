import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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

/**
 * A code is stored only as SHA-256 of its canonical form, salted with its owner (invariant 6). A
 * slow hash is not needed: each code has 50 random bits (not a chosen password), a guesser online
 * gets a handful of throttled tries, and the salt stops one precomputed table serving every user.
 * (Offline, a stolen dump costs ~2^50 hashes per user to break — the price of a lookup this cheap.)
 */
export function hashBackupCode(subject: { tenantId: string; userId: string }, canonical: string): string {
  return createHash('sha256').update(`${subject.tenantId}:${subject.userId}:${canonical}`, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of the same length. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A JSON-shaped value as PostgreSQL stores it and gives it back: JSON types only (a Date becomes its
 * ISO string, NaN and ±Infinity become null, undefined members vanish) and strings of valid Unicode (a
 * lone surrogate becomes U+FFFD, as the driver's UTF-8 encoding turns it in a text column, and which
 * jsonb would refuse). An audit entry is hashed in this form, so the verifier, reading the row back,
 * and a SIEM, reading it from the API, hash the very same value.
 */
export function asStored<T extends object>(value: T): T {
  return wellFormed(JSON.parse(JSON.stringify(value))) as T;
}

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD');
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(LONE_SURROGATE, '\uFFFD'), wellFormed(v)]),
    );
  }
  return value;
}

/** With the u flag a surrogate pair is one code point, so only an unpaired half matches. */
const LONE_SURROGATE = /\p{Cs}/gu;

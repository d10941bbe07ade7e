import canonicalize from 'canonicalize';

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): no whitespace, object members sorted by the UTF-16 code
 * units of their names at every depth, strings and numbers written as ECMAScript's JSON.stringify
 * writes them. Any JCS implementation recomputes the same text, so a SIEM can check an audit hash
 * outside this codebase (docs/audit-hash.md).
 *
 * Throws on what JCS cannot represent (NaN, ±Infinity, a lone surrogate): hash entries in the form
 * PostgreSQL stores them (`asStored`), which holds none of these.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return text;
}

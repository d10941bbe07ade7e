import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { parseSpkiPin } from '../../src/audit/stream/transports/spki-pin.js';

const digest = createHash('sha256').update('a public key').digest();

describe('a pinned SPKI fingerprint', () => {
  it('reads base64, with or without the sha256// prefix curl writes', () => {
    expect(parseSpkiPin(digest.toString('base64'))).toEqual(digest);
    expect(parseSpkiPin(`sha256//${digest.toString('base64')}`)).toEqual(digest);
  });

  it('reads hex, bare or colon-separated as openssl prints fingerprints', () => {
    const hex = digest.toString('hex');
    expect(parseSpkiPin(hex.toUpperCase())).toEqual(digest);
    expect(parseSpkiPin(hex.match(/../g)!.join(':'))).toEqual(digest);
  });

  it.each([
    ['a SHA-1 length digest', createHash('sha1').update('x').digest('base64')],
    ['text that is neither base64 nor hex', 'not a pin at all'],
    ['base64 with a character dropped', digest.toString('base64').slice(1)],
    ['an empty string', ''],
  ])('refuses %s', (_, pin) => {
    expect(() => parseSpkiPin(pin)).toThrow('not a SHA-256 digest');
  });
});

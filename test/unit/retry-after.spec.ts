import { describe, expect, it } from '@jest/globals';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/audit/stream/transports/retry-after.js';

const now = new Date('2030-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['120', 120_000],
    [' 7 ', 7000],
    ['Tue, 01 Jan 2030 00:00:30 GMT', 30_000],
    ['Tuesday, 01-Jan-30 00:01:00 GMT', 60_000],
    ['Tue Jan  1 00:00:05 2030', 5000],
    ['Mon, 31 Dec 2029 23:00:00 GMT', 0],
    ['999999999', MAX_RETRY_AFTER_MS],
    ['Wed, 01 Jan 2031 00:00:00 GMT', MAX_RETRY_AFTER_MS],
  ])('reads %j as %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([undefined, '', '-5', '1.5', '10s', 'soon', '2030-01-01T00:00:30Z', 'Xyz, 99 Foo 2030'])(
    'ignores %j',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );

  it('reads the first of repeated headers', () => {
    expect(parseRetryAfter(['3', '9'], now)).toBe(3000);
  });
});

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson } from '../../src/audit/canonical-json.js';
import { asStored } from '../../src/audit/stored-form.js';

describe('asStored (an audit entry as PostgreSQL will give it back)', () => {
  it('keeps JSON values as they are', () => {
    const value = { s: 'x', n: 1.5, b: true, z: null, a: [1, 'two', { three: 3 }], o: { '😂': '€' } };
    expect(asStored(value)).toEqual(value);
  });

  it('writes a Date as its ISO string, NaN and Infinity as null, and drops undefined members', () => {
    expect(
      asStored({
        at: new Date('2030-01-01T00:00:00.000Z'),
        nan: Number.NaN,
        inf: Number.NEGATIVE_INFINITY,
        gone: undefined,
        list: [undefined, Number.NaN],
      }),
    ).toEqual({ at: '2030-01-01T00:00:00.000Z', nan: null, inf: null, list: [null, null] });
  });

  it('replaces a lone surrogate, in a value or a member name, by U+FFFD and keeps whole pairs', () => {
    expect(asStored({ ['k\udc00']: ['a\ud800b', '😂', '\ud83d'] })).toEqual({
      ['k\ufffd']: ['a\ufffdb', '😂', '\ufffd'],
    });
  });

  it('gives a value RFC 8785 can always write, whatever the caller passed', () => {
    const unit = fc.oneof(
      fc.constantFrom('\ud800', '\udfff'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit }), fc.anything({ withDate: true, stringUnit: unit })), (details) => {
        expect(typeof canonicalJson(asStored({ details }))).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson } from '../../src/audit/canonical-json.js';
import { legacyCanonicalJson } from '../support/legacy-canonical-json.js';

/** Test vectors of the RFC 8785 authors (github.com/cyberphone/json-canonicalization, testdata/). */
const RFC_8785_VECTORS = [
  {
    name: 'values: ECMAScript numbers, escapes, literals',
    input: String.raw`{
      "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
      "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`,
    output: String.raw`{"escaping":"€$\u000f\nA'B\"\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}`,
  },
  {
    name: 'weird: member names sorted by UTF-16 code units, not by code points',
    input: String.raw`{
      "\u20ac": "Euro Sign",
      "1": "One",
      "\u0080": "Control\u007f",
      "\ud83d\ude02": "Smiley",
      "\u00f6": "Latin Small Letter O With Diaeresis",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "</script>": "Browser Challenge"
    }`,
    output:
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  },
];

/** Any value JSON.parse can give back, with strings over all of Unicode (astral planes included). */
const jsonAsParsed = fc.jsonValue({ stringUnit: 'binary' }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe('canonicalJson (RFC 8785, the form the audit hash covers)', () => {
  it.each(RFC_8785_VECTORS)('writes the RFC 8785 test vector "$name"', ({ input, output }) => {
    expect(canonicalJson(JSON.parse(input))).toBe(output);
  });

  it('refuses what RFC 8785 cannot represent rather than writing something else', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(() => canonicalJson({ n: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => canonicalJson({ s: 'half a pair: \ud83d' })).toThrow();
    expect(() => canonicalJson(undefined)).toThrow();
  });

  describe('gives the text of the sorted-keys form entries were hashed with before, for every stored value', () => {
    // What a stored entry can hold is what JSON.parse returns for a jsonb column, and strings of text
    // columns: JSON values whose strings are valid Unicode (PostgreSQL refuses lone surrogates in jsonb
    // and the driver encodes them as U+FFFD in text). On that domain the two forms must agree byte for
    // byte, or existing chains would stop verifying.
    it('on any JSON value', () => {
      fc.assert(
        fc.property(jsonAsParsed, (value) => {
          expect(canonicalJson(value)).toBe(legacyCanonicalJson(value));
        }),
        { numRuns: 2000 },
      );
    });

    it('on member names whose UTF-16 order differs from their code point order', () => {
      const value = { '\ufb33': 1, '\ud83d\ude02': 2, '\u20ac': 3, a: { '\uffff': [], '\u{10000}': {} } };
      expect(canonicalJson(value)).toBe('{"a":{"\u{10000}":{},"\uffff":[]},"\u20ac":3,"\ud83d\ude02":2,"\ufb33":1}');
      expect(legacyCanonicalJson(value)).toBe(canonicalJson(value));
    });

    it('on numbers at the edges of ECMAScript formatting', () => {
      const numbers = [0, -0, 1e21, 1e-7, 1e-6, 5e-324, 1.7976931348623157e308, 2 ** 53 + 2, 0.1 + 0.2, -1.5e-10];
      expect(canonicalJson(numbers)).toBe(
        '[0,0,1e+21,1e-7,0.000001,5e-324,1.7976931348623157e+308,9007199254740994,0.30000000000000004,-1.5e-10]',
      );
      expect(legacyCanonicalJson(numbers)).toBe(canonicalJson(numbers));
    });

    it('on control characters, line separators and null members', () => {
      const value = { s: '\u0000\b\t\n\f\r\u001f\u007f\u2028\u2029"\\/', n: null, e: {}, a: [null, [], [{}]] };
      expect(canonicalJson(value)).toBe(
        '{"a":[null,[],[{}]],"e":{},"n":null,"s":"\\u0000\\b\\t\\n\\f\\r\\u001f\u007f\u2028\u2029\\"\\\\/"}',
      );
      expect(legacyCanonicalJson(value)).toBe(canonicalJson(value));
    });
  });
});

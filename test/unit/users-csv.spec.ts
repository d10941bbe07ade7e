import { describe, expect, it } from '@jest/globals';
import { csvCell, csvLine, userCsvLine } from '../../src/web/admin/users-csv.js';

describe('the users CSV export', () => {
  it.each(['=HYPERLINK("http://x")', '+1+1', '-2+3@acme.example', '@SUM(A1)', '\t=1', '\r=1'])(
    'defuses a cell a spreadsheet would run as a formula: %j',
    (value) => {
      expect(csvCell(value).replace(/^"/, '').startsWith("'")).toBe(true);
    },
  );

  it('leaves ordinary cells alone and quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('ann@acme.example')).toBe('ann@acme.example');
    expect(csvCell('2030-04-01T09:00:00.000Z')).toBe('2030-04-01T09:00:00.000Z');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvLine(['a', 'b'])).toBe('a,b\r\n');
  });

  it('writes a user as the API lists them', () => {
    const line = userCsvLine({
      id: '0b6c2c52-4a1e-4f43-9a53-6f1f3c0b8b11',
      email: 'ann@acme.example',
      roles: ['manager', 'member'],
      createdAt: '2030-04-01T09:00:00.000Z',
      mfa: { enrolled: false, factorTypes: [], status: 'grace', deadline: '2030-04-08T09:00:00.000Z' },
    });
    expect(line).toBe(
      '0b6c2c52-4a1e-4f43-9a53-6f1f3c0b8b11,ann@acme.example,manager member,no,,grace,' +
        '2030-04-08T09:00:00.000Z,2030-04-01T09:00:00.000Z\r\n',
    );
  });
});

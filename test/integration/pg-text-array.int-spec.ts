import { describe, expect, it } from '@jest/globals';
import { pgTextArray } from '../../src/infra/database/pg-text-array.js';
import { withAdminClient } from '../support/postgres.js';

describe('pgTextArray, read back by PostgreSQL as one text[] parameter', () => {
  const roundTrip = (values: string[]) =>
    withAdminClient(
      async (client) =>
        (await client.query<{ a: string[] }>('select $1::text[] as a', [pgTextArray(values)])).rows[0]!.a,
    );

  it('keeps every element whole: tenant ids, and text with the array syntax in it', async () => {
    const values = [
      'platform',
      '0b5f4c8e-1d2a-4c3b-9e8f-7a6b5c4d3e2f',
      'a,b',
      '{x}',
      'say "hi"',
      'back\\slash',
      ' spaced ',
      'NULL',
      '',
    ];
    expect(await roundTrip(values)).toEqual(values);
    expect(await roundTrip([])).toEqual([]);
  });

  it('refuses NUL, which PostgreSQL text cannot hold', () => {
    expect(() => pgTextArray(['a\0b'])).toThrow(/NUL/);
  });
});

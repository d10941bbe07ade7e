import { describe, expect, it } from '@jest/globals';
import { authenticationResponseSchema } from '../../src/factors/index.js';
import { credentialFrom } from '../../src/web/passkey-answers.js';

const assertion = {
  id: 'AAEC',
  rawId: 'AAEC',
  type: 'public-key',
  response: { clientDataJSON: 'eyJ9', authenticatorData: 'AAAA', signature: 'MEUC' },
  clientExtensionResults: {},
};

describe("a passkey answer as a page's form posts it", () => {
  it('reads the JSON of an assertion the schema accepts', () => {
    expect(credentialFrom(JSON.stringify(assertion), authenticationResponseSchema)).toMatchObject({ id: 'AAEC' });
  });

  it('is null for no field, not JSON, JSON of something else, or far too much', () => {
    for (const posted of [undefined, '', '{', '"text"', JSON.stringify({ ...assertion, type: 'password' })]) {
      expect(credentialFrom(posted, authenticationResponseSchema)).toBeNull();
    }
    expect(credentialFrom(' '.repeat(70_000), authenticationResponseSchema)).toBeNull();
  });
});

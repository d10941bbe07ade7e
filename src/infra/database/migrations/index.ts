import { Migration0001Foundation } from './0001-foundation.js';
import { Migration0002Factors } from './0002-factors.js';
import { Migration0003MfaChallenges } from './0003-mfa-challenges.js';

/** Every migration, in order. Listed explicitly so the built app and the tests run the same set. */
export const MIGRATIONS = [
  { name: '0001-foundation', class: Migration0001Foundation },
  { name: '0002-factors', class: Migration0002Factors },
  { name: '0003-mfa-challenges', class: Migration0003MfaChallenges },
];

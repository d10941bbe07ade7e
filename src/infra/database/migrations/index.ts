import { Migration0001Foundation } from './0001-foundation.js';
import { Migration0002Factors } from './0002-factors.js';

/** Every migration, in order. Listed explicitly so the built app and the tests run the same set. */
export const MIGRATIONS = [
  { name: '0001-foundation', class: Migration0001Foundation },
  { name: '0002-factors', class: Migration0002Factors },
];

import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ENV_NAMES } from '../../config/index.js';

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('documents every configuration variable of the schema', () => {
    const missing = ENV_NAMES.filter((name) => !new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, 'm').test(readme));
    expect(missing).toEqual([]);
  });

  it('starts with the two commands: run the platform and run the tests', () => {
    const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```', readme.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });
});

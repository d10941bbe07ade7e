import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_NAMES } from '../../config/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const docPages = readdirSync(join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const anchorsOf = (markdown: string) =>
  new Set([...markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));

/** Relative links of a page (`[text](target)`), outside code blocks; web addresses left out. */
const relativeLinks = (markdown: string) =>
  [...markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target));

describe('README', () => {
  const readme = read('README.md');

  it('starts with the two commands: run the platform and run the tests', () => {
    const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```', readme.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm install && npm start');
    expect(firstBlock).toContain('npm test');
  });

  it('links every page of docs/', () => {
    const linked = new Set(relativeLinks(readme).map((target) => target.split('#')[0]));
    expect(docPages.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe('docs/configuration.md', () => {
  const configuration = read('docs/configuration.md');
  const tableRows = [...configuration.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]!);

  it('documents every configuration variable of the schema', () => {
    const missing = ENV_NAMES.filter((name) => !tableRows.includes(name));
    expect(missing).toEqual([]);
  });

  it('documents no variable the schema does not read', () => {
    const unknown = tableRows.filter((name) => !(ENV_NAMES as string[]).includes(name));
    expect(unknown).toEqual([]);
  });
});

describe('links between the README and docs/', () => {
  it.each(['README.md', ...docPages])('every relative link of %s points at a file and heading that exist', (page) => {
    const broken = relativeLinks(read(page)).filter((target) => {
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(root, page) : join(dirname(join(root, page)), path);
      if (!existsSync(file)) return true;
      return anchor !== undefined && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor);
    });
    expect(broken.map((target) => `${relative(root, join(root, page))} -> ${target}`)).toEqual([]);
  });
});

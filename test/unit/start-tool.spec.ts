import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILD_STAMP, whyBuild } from '../../tools/start.js';

// An hour ago: a file removed during the test dates its folder now, after the build.
const BUILT = new Date(Date.now() - 3_600_000);
const BEFORE = new Date(BUILT.getTime() - 60_000);
const AFTER = new Date(BUILT.getTime() + 60_000);

describe('tools/start.ts: whether dist/ needs a build', () => {
  let root: string;

  /** Writes a file dated `at`, its folders dated `at` too unless touched later. */
  function file(path: string, at: Date) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, '');
    utimesSync(full, at, at);
    for (let dir = dirname(full); dir.startsWith(root) && dir !== root; dir = dirname(dir)) utimesSync(dir, at, at);
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'stepguard-start-'));
    file('src/main.ts', BEFORE);
    file('workers/templates/layout.html.hbs', BEFORE);
    file('config/schema.ts', BEFORE);
    file('tsconfig.json', BEFORE);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds when there is no build stamp, even if dist/ holds output', () => {
    file('dist/src/main.js', BUILT);
    expect(whyBuild(root)).toMatch(/not built yet/);
  });

  it('skips the build when every input is older than the last build', () => {
    file(BUILD_STAMP, BUILT);
    expect(whyBuild(root)).toBeUndefined();
  });

  it.each([
    'src/main.ts',
    'workers/templates/layout.html.hbs',
    'config/schema.ts',
    'tools/chart/check.ts',
    'tsconfig.json',
    'nest-cli.json',
  ])('builds when %s changed after the last build', (path) => {
    file(BUILD_STAMP, BUILT);
    file(path, AFTER);
    expect(whyBuild(root)).toBe(`${path} changed since the last build`);
  });

  it('builds when a source file was removed after the last build', () => {
    file(BUILD_STAMP, BUILT);
    rmSync(join(root, 'src/main.ts'));
    expect(whyBuild(root)).toBe('src changed since the last build');
  });

  it('ignores what the build does not read: tests, docs, the tools that run unbuilt', () => {
    file(BUILD_STAMP, BUILT);
    file('test/unit/x.spec.ts', AFTER);
    file('README.md', AFTER);
    file('tools/loaded-e2e.sh', AFTER);
    expect(whyBuild(root)).toBeUndefined();
  });
});

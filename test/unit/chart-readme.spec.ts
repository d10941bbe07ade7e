import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR, documentedValues, renderChartReadme } from '../../tools/chart-readme.js';

const read = (file: string) => readFileSync(join(CHART_DIR, file), 'utf8');

describe('tools/chart-readme.ts', () => {
  it('has generated charts/stepguard/README.md from the current values.yaml (else run npm run chart:readme)', async () => {
    expect(read('README.md')).toBe(await renderChartReadme());
  });

  it('lists every key of values.yaml in the README', () => {
    const readme = read('README.md');
    const missing = documentedValues(read('values.yaml'))
      .map((value) => value.path)
      .filter((path) => !readme.includes(`\`${path}\``));
    expect(missing).toEqual([]);
  });

  it('reads the "# --" comment of each key, the first key of a nested map and continuation lines included', () => {
    const yaml = [
      '# A header',
      '',
      '# -- the section',
      'a:',
      '  # -- first',
      '  b: 1',
      '  # -- second',
      '  # and more',
      '  c: [x]',
      '',
    ];
    expect(documentedValues(yaml.join('\n'))).toEqual([
      { path: 'a', type: 'object', default: '', description: 'the section', section: true },
      { path: 'a.b', type: 'int', default: '1', description: 'first', section: false },
      { path: 'a.c', type: 'list', default: '["x"]', description: 'second and more', section: false },
    ]);
  });

  it.each([
    ['a top-level key', '# -- documented\na: 1\nb: 2\n', 'b'],
    ['a nested key', '# -- documented\na:\n  inner: 1\n', 'a.inner'],
    ['a key with a plain comment', '# -- documented\na: 1\n# plain\nb: 2\n', 'b'],
  ])('refuses %s without a "# --" comment', (_what, yaml, path) => {
    expect(() => documentedValues(yaml)).toThrow(`values.yaml: ${path} has no "# --" comment above it`);
  });
});

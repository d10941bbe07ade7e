import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('charts/stepguard/Chart.yaml', () => {
  it('deploys the version package.json declares (appVersion, the default image tag)', () => {
    const chart = parse(read('charts/stepguard/Chart.yaml')) as { appVersion: string; apiVersion: string };
    const pkg = JSON.parse(read('package.json')) as { version: string };
    expect(chart.apiVersion).toBe('v2');
    expect(chart.appVersion).toBe(pkg.version);
  });

  it('builds images labelled with that version by default', () => {
    const pkg = JSON.parse(read('package.json')) as { version: string };
    expect(read('Dockerfile')).toMatch(new RegExp(`^ARG VERSION=${pkg.version.replaceAll('.', '\\.')}$`, 'm'));
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { checkChart } from '../../tools/chart/check-chart.js';
import { failed, resultLines, type CheckResult } from '../../tools/chart/results.js';
import { BREAKERS } from '../support/chart-breakers.js';

/**
 * The charts chart:check is tested on: each must pass, and fail each rule a breaker breaks in a copy of it.
 * The fixture keeps every invariant with as little as possible; the real chart is held to the same tests.
 */
const CHARTS = ['test/fixtures/charts/minimal-stepguard', 'charts/stepguard'];

const ROOT = resolve(import.meta.dirname, '../..');

describe.each(CHARTS)('chart:check on %s (real helm)', (chart) => {
  const workDir = mkdtempSync(join(tmpdir(), 'stepguard-chart-check-'));
  let copies = 0;

  /** A copy of the chart (under its own directory name: helm lint wants it to match Chart.yaml). */
  function copyOfChart(): string {
    const copy = join(workDir, String(copies++), basename(chart));
    cpSync(join(ROOT, chart), copy, { recursive: true });
    return copy;
  }

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  describe('the chart as it is', () => {
    let results: CheckResult[];
    beforeAll(async () => {
      results = await checkChart(join(ROOT, chart));
    }, 60_000);

    it('passes every check', () => {
      expect(resultLines(failed(results))).toEqual([]);
    });

    it('checks every rule on every ci profile, and the values schema', () => {
      const rules = new Set(results.map(({ rule }) => rule));
      for (const breaker of BREAKERS) expect(rules).toContain(breaker.rule);
      expect(results.filter(({ rule }) => rule === 'values-schema')).toHaveLength(3);
      expect(new Set(results.map(({ scope }) => scope)).size).toBeGreaterThan(2);
    });
  });

  it.each(BREAKERS.filter((breaker) => !breaker.notFor?.[chart]))(
    'fails $rule when $breaks',
    async ({ rule, expect: message, apply }) => {
      const copy = copyOfChart();
      apply(copy);
      const lines = resultLines(failed(await checkChart(copy)));
      expect(lines.filter((line) => line.includes(` ${rule}: `))).toEqual(
        expect.arrayContaining([expect.stringMatching(message)]),
      );
    },
    60_000,
  );
});

import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixedWaitsIn } from '../support/fixed-waits.js';

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The one module that may wait between two probes: its polls are bounded by a deadline that throws. */
const WAIT_MODULE = 'support/wait.ts';

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

/**
 * Tests wait for the event, row, job or acknowledgement that proves the work happened, never for time:
 * a sleep before an absence assertion passes when the work is merely late, and a sleep before a presence
 * assertion fails on a loaded machine.
 */
describe('test/ waits for events, not time', () => {
  it('has no fixed wait longer than a tick outside test/support/wait.ts', () => {
    const found = sourcesUnder(TEST_DIR)
      .map((path) => relative(TEST_DIR, path))
      .filter((file) => file !== WAIT_MODULE)
      .flatMap((file) =>
        fixedWaitsIn(file, readFileSync(join(TEST_DIR, file), 'utf8')).map(
          (w) => `${file}:${w.line} ${w.why}: ${w.code}`,
        ),
      );
    expect(found).toEqual([]);
  });

  const waitsIn = (code: string) => fixedWaitsIn('example.ts', code).map((w) => w.why);

  it.each([
    ['a promised setTimeout', `await new Promise((r) => setTimeout(r, 300));`],
    ['a callback that resolves', `await new Promise<void>((resolve) => setTimeout(() => resolve(), 25));`],
    ['a delay held in a variable', `const settleMs = 150; await new Promise((r) => setTimeout(r, settleMs));`],
    ['globalThis.setTimeout', `await new Promise((r) => globalThis.setTimeout(r, 50));`],
    ['a polling interval', `setInterval(() => void check(), 100);`],
    ['timers/promises as sleep', `import { setTimeout as sleep } from 'node:timers/promises';\nawait sleep(10);`],
    ['timers/promises under its name', `import { setTimeout } from 'timers/promises';\nawait setTimeout(1050);`],
    ['a timers/promises namespace', `import * as timers from 'node:timers/promises';\nawait timers.setTimeout(5);`],
    ['scheduler.wait', `import { scheduler } from 'node:timers/promises';\nawait scheduler.wait(20);`],
    ['a hand-written sleep', `await sleep(1_000);`],
    [
      'a cleared timer that only resolves',
      `let t; await new Promise((r) => (t = setTimeout(r, 300))); clearTimeout(t);`,
    ],
  ])('finds %s', (_, code) => {
    expect(waitsIn(code)).toHaveLength(1);
  });

  it.each([
    ['a tick', `await new Promise((r) => setTimeout(r, 0)); await new Promise((r) => setTimeout(r));`],
    ['setImmediate', `await new Promise((r) => setImmediate(r));`],
    [
      'a timeout guard, cleared when what it guards arrives',
      `const timer = setTimeout(() => reject(new Error('late')), timeoutMs);\nemitter.once('done', () => clearTimeout(timer));`,
    ],
    ['a BullMQ delay option', `await queue.add('job', {}, { delay: 5000 });`],
  ])('lets %s pass', (_, code) => {
    expect(waitsIn(code)).toEqual([]);
  });
});

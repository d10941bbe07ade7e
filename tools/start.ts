/**
 * Runs a script on the built app (`npm start`, `start:api`, `start:worker`, `migrate`, `stepguard`,
 * the benches), running `nest build` first only when dist/ is missing or older than a source, a
 * template or a build setting: a second start skips the whole-project type-check.
 *
 *   node tools/start.ts <script.js> [args...]
 *
 * Node runs this file as it is (type stripping): it must not need a build itself. The script is
 * imported into this process rather than spawned, so signals and the exit code need no relaying.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What `nest build` reads: sources and templates, and the settings that shape its output. */
export const BUILD_INPUTS = [
  'src',
  'workers',
  'config',
  'tools/chart',
  'tools/kube-binaries.ts',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];

/** Written after a successful build, dated when that build started: an edit made during it is newer. */
export const BUILD_STAMP = 'dist/.build-stamp';

/** Why dist/ needs a build (the first input newer than the last one), or undefined when it is current. */
export function whyBuild(root: string): string | undefined {
  const built = statSync(join(root, BUILD_STAMP), { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return `not built yet (no ${BUILD_STAMP})`;
  for (const input of BUILD_INPUTS) {
    const newer = firstNewer(join(root, input), built);
    if (newer) return `${relative(root, newer)} changed since the last build`;
  }
  return undefined;
}

/** A directory's own date counts too: it changes when a file in it is added, removed or renamed. */
function firstNewer(path: string, time: number): string | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return undefined;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) {
      const newer = firstNewer(join(path, entry), time);
      if (newer) return newer;
    }
  }
  return stat.mtimeMs > time ? path : undefined;
}

function buildIfStale(root: string): void {
  const reason = whyBuild(root);
  if (!reason) return;
  console.error(`building dist/: ${reason}`);
  const startedAt = new Date();
  // The build's output goes to stderr: the CLI's stdout carries only its results.
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const stamp = join(root, BUILD_STAMP);
  writeFileSync(stamp, '');
  utimesSync(stamp, startedAt, startedAt);
}

if (import.meta.main) {
  const [script, ...args] = process.argv.slice(2);
  if (!script) {
    console.error('usage: node tools/start.ts <script.js> [args...]');
    process.exit(2);
  }
  buildIfStale(resolve(import.meta.dirname, '..'));
  const entry = resolve(script);
  process.argv = [process.argv[0]!, entry, ...args];
  await import(pathToFileURL(entry).href);
}

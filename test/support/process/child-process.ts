import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REGISTER_TS = fileURLToPath(new URL('./register-ts.mjs', import.meta.url));

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr, line by line. */
  readonly lines: string[];
  /** Resolves with the first line (already printed or to come) that matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /**
   * Resolves with the exit code once the process has ended and all it printed is in `lines`; rejects
   * (with what it printed) if it is still running after `timeoutMs`.
   */
  ended(timeoutMs?: number): Promise<number | null>;
  /** Sends the signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs one of the project's TypeScript entry points (e.g. `workers/main.ts`) as a real process on this
 * Node, with only the given environment: what a deployment runs, so a test can kill it for real.
 */
export function runEntryPoint(
  entry: string,
  env: Record<string, string>,
  args: readonly string[] = [],
): RunningProcess {
  const child = spawn(process.execPath, ['--import', REGISTER_TS, entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // 'close' comes after 'exit' once stdout and stderr have ended: every line has been read.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
      for (const wake of waiters) wake();
    });
  }
  return {
    child,
    lines,
    // Generous: a process compiling its sources on a loaded 2-core machine took over 20 s to start once.
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.find((l) => pattern.test(l));
          if (line === undefined && child.exitCode === null) return;
          clearTimeout(timer);
          waiters.delete(check);
          if (line !== undefined) resolve(line);
          else
            reject(new Error(`${entry} exited (${child.exitCode}) before printing ${pattern}:\n${lines.join('\n')}`));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${entry} printed no ${pattern} within ${timeoutMs} ms:\n${lines.join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        child.once('exit', check);
        check();
      });
    },
    ended(timeoutMs = 60_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${entry} still runs after ${timeoutMs} ms:\n${lines.join('\n')}`)),
          timeoutMs,
        );
      });
      return Promise.race([closed, late]).finally(() => clearTimeout(timer));
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

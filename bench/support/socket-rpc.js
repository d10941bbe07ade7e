// Calls over a forked child's IPC channel, for bench/socket-disconnect.bench.js: the parent runs
// `child.call('heap')`, the child answers with what its handler returned, or with the error it threw.
// A child whose parent goes away exits, so no server or client fleet outlives a crashed benchmark.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** In the child: answer the parent's calls with `handlers[cmd](args)`. */
export function serveCalls(handlers) {
  process.on('message', async ({ id, cmd, args }) => {
    try {
      const handler = handlers[cmd];
      if (!handler) throw new Error(`no handler for ${cmd}`);
      process.send({ id, result: await handler(args) });
    } catch (error) {
      process.send({ id, error: error?.stack ?? String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  // An orderly exit, so a child run with --cpu-prof (STEPGUARD_BENCH_CHILD_CPU_PROF) writes its profile.
  process.on('SIGTERM', () => process.exit(0));
}

/** `global.gc()` until the figure settles, then the heap in use: what the sockets hold, not garbage. */
export function settledHeap() {
  let heap = Infinity;
  for (let i = 0; i < 4; i++) {
    global.gc();
    const now = process.memoryUsage().heapUsed;
    if (Math.abs(heap - now) < 64 * 1024) return now;
    heap = now;
  }
  return heap;
}

/**
 * In the parent: fork `script` (a URL) with --expose-gc and return something to call it with; `env`
 * adds to the parent's environment.
 */
export function forkChild(script, name, { env } = {}) {
  const child = fork(fileURLToPath(script), [], {
    execArgv: [
      '--expose-gc',
      ...(process.env.STEPGUARD_BENCH_CHILD_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STEPGUARD_BENCH_CHILD_CPU_PROF}`]
        : []),
    ],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const pending = new Map();
  let nextId = 0;
  let exited = null;
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `${name} exited (${signal ?? `code ${code}`})`;
      for (const { reject } of pending.values()) reject(new Error(exited));
      pending.clear();
      resolve();
    });
  });
  child.on('message', ({ id, result, error }) => {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    if (error) call.reject(new Error(`${name}: ${error}`));
    else call.resolve(result);
  });
  return {
    name,
    pid: child.pid,
    call(cmd, args, timeoutMs = 120_000) {
      if (exited) return Promise.reject(new Error(exited));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: no answer to ${cmd} after ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const settle = (fn) => (value) => {
          clearTimeout(timer);
          fn(value);
        };
        pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
        child.send({ id, cmd, args });
      });
    },
    /** Asks the child to close, then ends it by its pid if it has not exited within `graceMs`. */
    async stop(graceMs = 5000) {
      if (exited) return;
      await Promise.race([this.call('close', undefined, graceMs).catch(() => undefined), exit]);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      if (!exited) child.kill('SIGTERM');
      await exit;
      clearTimeout(timer);
    },
  };
}

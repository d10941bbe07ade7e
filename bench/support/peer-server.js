// What both server processes of bench/peer.bench.js share: counters of the SQL statements and Redis
// commands the process sends (the parent reads them just before and just after one request), its memory,
// and the requests it is still working on. Nothing else runs in a server process: the parent arranges
// data through the API and inserts its pools by SQL, so the memory figures are the server's own.
import { countDriverCalls } from './driver-calls.js';
import { serveCalls } from './socket-rpc.js';

/**
 * Counts the requests the server is still working on, so the parent can wait for the last run's
 * stragglers (requests autocannon gave up on at its end, which the server still answers) before the next
 * run or the shutdown. `begin()` when one arrives, `end()` when its handler is done.
 */
export function inFlight() {
  let count = 0;
  const waiters = [];
  return {
    begin: () => count++,
    end() {
      if (--count === 0) for (const resolve of waiters.splice(0)) resolve();
    },
    /** Resolves with 0 when no request is being worked on, or after `timeoutMs` with how many still are. */
    idle: (timeoutMs = 30_000) =>
      count === 0
        ? Promise.resolve(0)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(count), timeoutMs);
            waiters.push(() => {
              clearTimeout(timer);
              resolve(0);
            });
          }),
  };
}

/**
 * Counts driver calls from now on and answers the parent: `listen(args)` starts the server and returns
 * its base URL, `close()` stops it; `counters`, `memory` (RSS now and the kernel's high-water mark for
 * this process) and `idle` (no request in flight) are answered here.
 */
export function serveServer({ listen, close, requests }) {
  const counters = countDriverCalls();
  serveCalls({
    listen,
    close,
    counters: () => ({ ...counters }),
    memory: () => ({ rss: process.memoryUsage().rss, peakRss: process.resourceUsage().maxRSS * 1024 }),
    idle: () => requests.idle(),
  });
}

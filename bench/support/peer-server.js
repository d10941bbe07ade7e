// What both server processes of bench/peer.bench.js share: counters of the SQL statements and Redis
// commands the process sends (the parent reads them just before and just after one request), its memory,
// and the requests it is still working on. Nothing else runs in a server process: the parent arranges
// data through the API and inserts its pools by SQL, so the memory figures are the server's own.
import { Redis } from 'ioredis';
import pg from 'pg';
import { serveCalls } from './socket-rpc.js';

/** Every SQL statement and Redis command this process sends, counted at the driver. */
const counters = { sql: 0, redisCommands: 0, redisRoundTrips: 0 };

/**
 * Wraps pg's Client#query (a pg Pool's clients are Clients, so MikroORM's pool and a plain Pool are both
 * seen) and ioredis' Redis#sendCommand. A pipeline or MULTI sends its commands through sendCommand with
 * one shared stream: one round trip however many commands it carries.
 */
function countDriverCalls() {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (...args) {
    counters.sql++;
    return query.apply(this, args);
  };
  const send = Redis.prototype.sendCommand;
  const pipelines = new WeakSet();
  Redis.prototype.sendCommand = function (command, stream, ...rest) {
    counters.redisCommands++;
    if (!stream?.isPipeline) counters.redisRoundTrips++;
    else if (!pipelines.has(stream)) {
      pipelines.add(stream);
      counters.redisRoundTrips++;
    }
    return send.call(this, command, stream, ...rest);
  };
}

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
  countDriverCalls();
  serveCalls({
    listen,
    close,
    counters: () => ({ ...counters }),
    memory: () => ({ rss: process.memoryUsage().rss, peakRss: process.resourceUsage().maxRSS * 1024 }),
    idle: () => requests.idle(),
  });
}

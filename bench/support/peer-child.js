// What both server processes of bench/peer.bench.js share: counters of the SQL statements and Redis
// commands the process sends (the parent reads them just before and just after one request), its memory,
// and plain fetch helpers for arranging data through the server's own API.
import { Redis } from 'ioredis';
import pg from 'pg';

/** Every SQL statement and Redis command this process sends, counted at the driver. */
export const counters = { sql: 0, redisCommands: 0, redisRoundTrips: 0 };

/**
 * Wraps pg's Client#query (a pg Pool's clients are Clients, so MikroORM's pool and a plain Pool are both
 * seen) and ioredis' Redis#sendCommand. A pipeline or MULTI sends its commands through sendCommand with
 * one shared stream: one round trip however many commands it carries.
 */
export function countDriverCalls() {
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
 * Counts the requests a server is still working on, so the parent can wait for the last run's stragglers
 * (requests autocannon gave up on at its end, which the server still answers) before the next run or the
 * shutdown. `begin()` when one arrives, `end()` when its handler is done.
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

/** Resident memory now and the peak so far (the kernel's high-water mark for this process). */
export function memory() {
  return { rss: process.memoryUsage().rss, peakRss: process.resourceUsage().maxRSS * 1024 };
}

/** One JSON request; `cookies` is a Map the response's Set-Cookie headers are merged into. */
export async function request(baseUrl, method, path, { body, headers = {}, cookies } = {}) {
  const all = { ...headers };
  if (body !== undefined) all['content-type'] = 'application/json';
  if (cookies?.size) all.cookie = cookieHeader(cookies);
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: all,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (cookies) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || pair.slice(eq + 1) === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, pair.slice(eq + 1));
    }
  }
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

export const cookieHeader = (cookies) => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');

/** The body of a request that must answer `status`, or an error naming what failed. */
export async function expectStatus(promise, status, what) {
  const res = await promise;
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The argon2 parameters of an encoded hash (`$argon2id$v=19$m=19456,t=2,p=1$…`), to compare the two sides. */
export function argon2Parameters(hash) {
  const [, type, , params] = hash.split('$');
  return `${type} ${params}`;
}

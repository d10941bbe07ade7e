import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { HttpResult } from './http.js';

/** What one request sent to PostgreSQL and Redis, in order: each SQL statement and each Redis command. */
export interface RoundTrips {
  sql: string[];
  redis: string[];
}

const TAG = 'x-test-round-trips';
const tallies = new Map<string, RoundTrips>();
const current = new AsyncLocalStorage<RoundTrips>();
let driversPatched = false;

/**
 * Counts, at the drivers, the statements and commands each tagged request sends while it runs (its
 * own async context, so a sweep or another request running meanwhile is not counted). Install once
 * per app; then `roundTripsOf` makes a tagged request.
 */
export function countRoundTrips(server: Server): void {
  patchDrivers();
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  for (const listener of listeners) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const tag = req.headers[TAG];
      const tally = typeof tag === 'string' ? tallies.get(tag) : undefined;
      if (tally) current.run(tally, () => listener(req, res));
      else listener(req, res);
    });
  }
}

/**
 * Makes one request with the tag and returns its answer with what it sent. Counted up to the answer:
 * work the request leaves running after it (best-effort after-commit tasks) is not its round trips.
 */
export async function roundTripsOf<T>(
  request: (headers: Record<string, string>) => Promise<HttpResult<T>>,
): Promise<{ res: HttpResult<T>; trips: RoundTrips }> {
  const tag = randomUUID();
  const tally: RoundTrips = { sql: [], redis: [] };
  tallies.set(tag, tally);
  try {
    const res = await request({ [TAG]: tag });
    return { res, trips: { sql: [...tally.sql], redis: [...tally.redis] } };
  } finally {
    tallies.delete(tag);
  }
}

function patchDrivers(): void {
  if (driversPatched) return;
  driversPatched = true;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    current.getStore()?.sql.push(oneLine(text ?? '?'));
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    current.getStore()?.redis.push(args[0].name);
    return sendCommand.apply(this, args);
  };
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

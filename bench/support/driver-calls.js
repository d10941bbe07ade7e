// Counters of the SQL statements and Redis commands a bench's server or worker process sends, counted at
// the drivers (shared by bench/support/peer-server.js and bench/support/stream-worker.js).
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Wraps pg's Client#query (a pg Pool's clients are Clients, so MikroORM's pool and a plain Pool are both
 * seen) and ioredis' Redis#sendCommand, once per process, and returns the live counters. A pipeline or
 * MULTI sends its commands through sendCommand with one shared stream: one round trip however many
 * commands it carries.
 */
export function countDriverCalls() {
  const counters = { sql: 0, redisCommands: 0, redisRoundTrips: 0 };
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
  return counters;
}

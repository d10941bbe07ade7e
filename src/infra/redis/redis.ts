import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSentinelTarget, RedisTarget } from '../../common/redis-target.js';

/**
 * Redis carries queues, rate-limit counters and the socket adapter; never state that matters. Every
 * connection of the process is made here, to the one target of AppConfig (a URL or a Sentinel master).
 * BullMQ connections wait out an outage (`maxRetriesPerRequest: null`, which BullMQ requires);
 * request-path connections give up after a moment, so a Redis outage answers 503 instead of hanging.
 */
export function createRedis(target: RedisTarget, name: string, use: 'requests' | 'queues' = 'queues'): Redis {
  const options: RedisOptions = {
    connectionName: `stepguard:${name}`,
    // Shutting down with Redis unreachable should not wait on a dead socket.
    disconnectTimeout: 200,
    reconnectOnError: reconnectWhenReadOnly,
    ...(use === 'queues' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, commandTimeout: 2_000 }),
    ...accessOptions(target),
  };
  return target.kind === 'url' ? new Redis(target.url, options) : new Redis({ ...options, ...sentinelOptions(target) });
}

function accessOptions(target: RedisTarget): RedisOptions {
  return {
    ...(target.username !== undefined && { username: target.username }),
    ...(target.password !== undefined && { password: target.password }),
    ...(target.tls && { tls: target.tls }),
  };
}

/**
 * Through Sentinel the master is asked for at every (re)connection and must answer as a master (`role`).
 * A demoted master is left by every client without help: the sentinels close its clients' connections as
 * they make it a replica (CLIENT KILL), a killed one drops them, and a write answered READONLY reconnects.
 * ioredis's `failoverDetector` is off: its `+switch-master` handler disconnects the connector even while a
 * reconnection is under way, which fails that reconnection and leaves the client ended for good (seen in
 * the failover e2e: an api node's subscriber, a worker's BullMQ connections, never back).
 */
function sentinelOptions(target: RedisSentinelTarget): RedisOptions {
  return {
    sentinels: target.sentinels,
    name: target.name,
    role: 'master',
    ...(target.sentinelPassword !== undefined && { sentinelPassword: target.sentinelPassword }),
    failoverDetector: false,
    // The same TLS (and verification) to the sentinels as to the data nodes.
    enableTLSForSentinelMode: target.tls !== undefined,
    ...(target.tls && { sentinelTLS: target.tls }),
    // While the old master is down the sentinels still name it; a promotion takes seconds, so retrying
    // at most a second apart reconnects within a second of it (the default backs off up to 5 s).
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
  };
}

/**
 * A write refused with READONLY went to a node that is (now) a replica, e.g. a master demoted by a
 * failover before this connection heard of it: reconnect (which asks the sentinels, or re-resolves the
 * URL's host) and send the command again (2).
 */
function reconnectWhenReadOnly(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

/**
 * Closes a connection once the commands already sent have their replies (so none rejects unheard),
 * but never waits longer than `graceMs`: with Redis down, QUIT would wait for a reconnect.
 */
export async function closeRedis(client: Redis, graceMs = 500): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([
    client.quit().then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ]);
  clearTimeout(timer);
  client.disconnect();
}

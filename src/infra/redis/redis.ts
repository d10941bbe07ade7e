import { Redis } from 'ioredis';

/**
 * Redis carries queues, rate-limit counters and the socket adapter; never state that matters.
 * `maxRetriesPerRequest: null` is what BullMQ requires for its blocking connections.
 */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: `stepguard:${name}`, lazyConnect: false });
}

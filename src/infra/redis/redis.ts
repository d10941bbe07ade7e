import { Redis } from 'ioredis';

/**
 * Redis carries queues, rate-limit counters and the socket adapter; never state that matters.
 * BullMQ connections wait out an outage (`maxRetriesPerRequest: null`, which BullMQ requires);
 * request-path connections give up after a moment, so a Redis outage answers 503 instead of hanging.
 */
export function createRedis(url: string, name: string, use: 'requests' | 'queues' = 'queues'): Redis {
  return new Redis(url, {
    connectionName: `stepguard:${name}`,
    // Shutting down with Redis unreachable should not wait on a dead socket.
    disconnectTimeout: 200,
    ...(use === 'queues' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, commandTimeout: 2_000 }),
  });
}

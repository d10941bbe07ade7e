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

/**
 * The value of `work`, or undefined if it fails or takes longer than `ms`. Probes and scrapes use it
 * so a dependency that hangs (a full pool, a Redis that queues commands while it reconnects) turns
 * into "down" instead of a request that never answers.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const BASE_MS = 1_000;
const CAP_MS = 60_000;

/**
 * Exponential backoff with jitter for the n-th consecutive failure (1, 2, …): half the step is fixed and
 * half random, so retries spread out without ever collapsing to nothing, capped at a minute so a receiver
 * that comes back is caught up soon. A receiver's Retry-After wins when it asks for longer.
 */
export function retryDelayMs(failures: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const step = Math.min(CAP_MS, BASE_MS * 2 ** Math.min(failures - 1, 16));
  const jittered = step / 2 + random() * (step / 2);
  return Math.max(Math.round(jittered), retryAfterMs ?? 0);
}

import type { Redis } from 'ioredis';
import { DomainError } from './errors/domain-error.js';

// INCR and start the window on the first hit, atomically: returns [count, ms left in the window].
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

export interface AttemptOutcome {
  /** Within the limit: go ahead. The attempt is already counted. */
  admitted: boolean;
  /** The first refused attempt of its window: exactly one per window, however many race. */
  firstRefusal: boolean;
  /** Until the window ends. */
  retryAfterMs: number;
}

/**
 * A fixed-window attempt counter in Redis, shared by every node. Each attempt is counted *before*
 * the work it guards, never after: a check-then-record limiter lets N parallel attempts all read
 * "under the limit", while INCR orders them, so exactly `limit` are admitted per window.
 *
 * The window is the key's Redis TTL, not the app's Clock: every node sees the same window, and it
 * ends on its own even if no node is running.
 *
 * Fails closed: without Redis a limit cannot hold, so the guarded action answers 503 rather than
 * run unthrottled.
 */
export class AttemptLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly options: { limit: number; windowMs: number; unavailable: string },
  ) {}

  async hit(key: string): Promise<AttemptOutcome> {
    const [count, ttl] = (await this.failClosed(() => this.redis.eval(HIT, 1, key, this.options.windowMs))) as [
      number,
      number,
    ];
    return {
      admitted: count <= this.options.limit,
      // The counter goes on counting refusals, so only one attempt ever sees limit + 1 in a window.
      firstRefusal: count === this.options.limit + 1,
      retryAfterMs: ttl > 0 ? ttl : this.options.windowMs,
    };
  }

  /** Starts afresh: the next hit opens a new window. */
  async reset(key: string): Promise<void> {
    await this.failClosed(() => this.redis.del(key));
  }

  private async failClosed<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new DomainError('service_unavailable', this.options.unavailable, { retryAfterSeconds: 5, debug: error });
    }
  }
}

/** 429 `too_many_attempts` with Retry-After: the end of the window. */
export function tooManyAttempts(message: string, retryAfterMs: number): DomainError {
  return new DomainError('too_many_attempts', message, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}

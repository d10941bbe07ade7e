import type { Redis } from 'ioredis';
import type { Clock } from './clock.js';
import { DomainError } from './errors/domain-error.js';

// Counts a hit in the window { start, n } that is open at ARGV[1] (now, ms), opening a new one when none
// is or the last has ended, atomically: returns [count, ms left in the window, the window's start]. The
// key's TTL only clears it once its window is over.
const HIT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
if not start or now >= start + window then
  redis.call('HSET', KEYS[1], 'start', ARGV[1], 'n', 1)
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, window, now}
end
return {redis.call('HINCRBY', KEYS[1], 'n', 1), math.min(window, start + window - now), start}`;

// Hands one counted attempt back, in the window it was counted in (ARGV[1], that window's start), never
// below zero: an attempt in a window since ended counts for nothing any more.
const REFUND = `
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
if start ~= tonumber(ARGV[1]) then return 0 end
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'n', -1)
return 1`;

/** Windows live under keys of their own: a counter of the earlier shape (a TTL'd integer) is never read. */
const WINDOW_SUFFIX = ':window';

export interface AttemptOutcome {
  /** Within the limit: go ahead. The attempt is already counted. */
  admitted: boolean;
  /** The first refused attempt of its window: exactly one per window, however many race. */
  firstRefusal: boolean;
  /** Until the window ends. */
  retryAfterMs: number;
  /** The start of the window the attempt was counted in, for `refund`. */
  windowStart: number;
}

/**
 * A fixed-window attempt counter in Redis, shared by every node. Each attempt is counted *before*
 * the work it guards, never after: a check-then-record limiter lets N parallel attempts all read
 * "under the limit", while one atomic script orders them, so exactly `limit` are admitted per window.
 *
 * A window opens at the first attempt and lasts `windowMs` of the app's Clock (ARCHITECTURE invariant
 * 7), read by the node that counts: every node sees the same window, since its start is kept in Redis,
 * and a test moves it by moving its clock.
 *
 * Fails closed: without Redis a limit cannot hold, so the guarded action answers 503 rather than
 * run unthrottled.
 */
export class AttemptLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly options: { limit: number; windowMs: number; unavailable: string },
  ) {}

  async hit(key: string): Promise<AttemptOutcome> {
    const now = this.clock.now().getTime();
    const [count, leftMs, windowStart] = (await this.failClosed(() =>
      this.redis.eval(HIT, 1, key + WINDOW_SUFFIX, now, this.options.windowMs),
    )) as [number, number, number];
    return {
      admitted: count <= this.options.limit,
      // The counter goes on counting refusals, so only one attempt ever sees limit + 1 in a window.
      firstRefusal: count === this.options.limit + 1,
      retryAfterMs: leftMs,
      windowStart,
    };
  }

  /**
   * Hands back one attempt that `hit` counted and that turned out to try nothing (what it guards could
   * not run), if its window is still the open one.
   */
  async refund(key: string, counted: AttemptOutcome): Promise<void> {
    await this.failClosed(() => this.redis.eval(REFUND, 1, key + WINDOW_SUFFIX, counted.windowStart));
  }

  /** Starts afresh: the next hit opens a new window. */
  async reset(key: string): Promise<void> {
    await this.failClosed(() => this.redis.del(key + WINDOW_SUFFIX));
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

import type { Redis } from 'ioredis';
import { DomainError } from '../common/errors/domain-error.js';

// The account's failure streak as a hash { n, opens, refused }. A stranger is refused while the gate
// is shut; an admitted attempt (a stranger's once it opens, a familiar client's at any time) is
// counted on arrival and, past the threshold, shuts the gate for base * 2^(n - threshold), at most max.
// Returns {admitted, ms until the gate opens, first refusal of this streak, n, the gate's opening before}.
const ATTEMPT = `
local now = tonumber(ARGV[1])
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local opens = tonumber(redis.call('HGET', KEYS[1], 'opens') or '0')
if ARGV[6] == '0' and now < opens then
  return {0, opens - now, redis.call('HSETNX', KEYS[1], 'refused', '1')}
end
n = n + 1
local threshold = tonumber(ARGV[2])
local delay = 0
if n >= threshold then delay = math.min(tonumber(ARGV[3]) * 2 ^ (n - threshold), tonumber(ARGV[4])) end
redis.call('HSET', KEYS[1], 'n', n, 'opens', string.format('%.0f', now + delay))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, 0, 0, n, opens}`;

// Hands back an admitted attempt: the streak one shorter and, if no attempt came after it (n is still
// ARGV[1]), the gate as it was before (ARGV[2]); one that came after keeps the gate it set.
const REFUND = `
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n <= 0 then return 0 end
redis.call('HSET', KEYS[1], 'n', n - 1)
if n == tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'opens', ARGV[2]) end
return 1`;

export interface BackoffOutcome {
  admitted: boolean;
  retryAfterMs: number;
  /** The first refusal of this streak: the one that gets an audit entry. */
  firstRefusal: boolean;
  /** Of an admitted attempt, what `refund` needs: the streak it made, and the gate before it. */
  counted?: { n: number; opensBefore: number };
}

/**
 * Exponential back-off on an account's consecutive failed logins from every network together, in
 * Redis: the ceiling against guessing one password from many networks, without ever shutting the
 * owner out for long (NIST SP 800-63B §3.2.2 allows a wait that grows with the failures). Time is the
 * app's Clock, passed in; the streak is forgotten `forgetAfterMs` after its last counted attempt.
 * Fails closed (503) without Redis.
 */
export class LoginBackoff {
  constructor(
    private readonly redis: Redis,
    private readonly options: {
      threshold: number;
      baseMs: number;
      maxMs: number;
      forgetAfterMs: number;
      unavailable: string;
    },
  ) {}

  /** `familiar`: a client the owner is known to use, which the shut gate does not stop (but still counts). */
  async attempt(key: string, now: Date, familiar: boolean): Promise<BackoffOutcome> {
    const { threshold, baseMs, maxMs, forgetAfterMs } = this.options;
    const args = [now.getTime(), threshold, baseMs, maxMs, forgetAfterMs, familiar ? 1 : 0];
    const [admitted, waitMs, first, n, opensBefore] = (await this.failClosed(() =>
      this.redis.eval(ATTEMPT, 1, key, ...args),
    )) as [number, number, number, number?, number?];
    return {
      admitted: admitted === 1,
      retryAfterMs: waitMs,
      firstRefusal: first === 1,
      counted: admitted === 1 ? { n: n!, opensBefore: opensBefore! } : undefined,
    };
  }

  /** Hands back an admitted attempt that tried no password (what it guards could not run). */
  async refund(key: string, counted: NonNullable<BackoffOutcome['counted']>): Promise<void> {
    await this.failClosed(() => this.redis.eval(REFUND, 1, key, counted.n, counted.opensBefore));
  }

  /** The right password: the streak is over. */
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

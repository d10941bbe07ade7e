import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../common/app-config.js';
import { AttemptLimiter, tooManyAttempts } from '../common/attempt-limiter.js';
import { Clock } from '../common/clock.js';

/**
 * Current-password checks per user, outside login (changing the password): without a limit, a
 * stolen session could guess the password at will, and make the server run argon2 at will.
 * Same budget and window as login's per-account limit, on a key of its own.
 */
@Injectable()
export class PasswordCheckThrottle {
  private readonly limiter: AttemptLimiter;

  constructor(
    redis: Redis,
    private readonly config: AppConfig,
    clock: Clock,
  ) {
    this.limiter = new AttemptLimiter(redis, clock, {
      limit: config.env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      windowMs: config.env.LOGIN_RATE_WINDOW_SECONDS * 1000,
      unavailable: 'Password checks are temporarily unavailable; try again shortly',
    });
  }

  /** Reserves one check before argon2 runs; throws 429 `too_many_attempts` when the budget is spent. */
  async reserve(userId: string): Promise<void> {
    const hit = await this.limiter.hit(this.key(userId));
    if (!hit.admitted) throw tooManyAttempts('Too many password attempts; try again later', hit.retryAfterMs);
  }

  /** After a correct password: the budget is whole again. */
  async reset(userId: string): Promise<void> {
    await this.limiter.reset(this.key(userId));
  }

  private key(userId: string): string {
    return `${this.config.env.REDIS_KEY_PREFIX}:ratelimit:password-check:${userId}`;
  }
}

import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AttemptLimiter, tooManyAttempts } from '../../common/attempt-limiter.js';
import { AppConfig } from '../../common/app-config.js';
import { Clock } from '../../common/clock.js';
import { CHALLENGE_TTL_MS } from './challenge-subject.js';

/** Tries per challenge: a 6-digit code gives a guesser 5 in 10^6 per challenge, not more. */
export const CHALLENGE_MAX_TRIES = 5;

/**
 * Limits code guessing on login challenges: per challenge, and per user across challenges (a
 * password holder must not get fresh tries by asking for new challenges). Counted before the check.
 */
@Injectable()
export class MfaVerificationThrottle {
  private readonly perChallenge: AttemptLimiter;
  private readonly perUser: AttemptLimiter;

  constructor(
    redis: Redis,
    private readonly config: AppConfig,
    clock: Clock,
  ) {
    const unavailable = 'Verification is temporarily unavailable; try again shortly';
    this.perChallenge = new AttemptLimiter(redis, clock, {
      limit: CHALLENGE_MAX_TRIES,
      windowMs: CHALLENGE_TTL_MS,
      unavailable,
    });
    this.perUser = new AttemptLimiter(redis, clock, {
      limit: config.env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      windowMs: config.env.LOGIN_RATE_WINDOW_SECONDS * 1000,
      unavailable,
    });
  }

  async admit(challengeId: string, userId: string): Promise<void> {
    const challenge = await this.perChallenge.hit(this.key('challenge', challengeId));
    if (!challenge.admitted) throw tooManyAttempts('Too many codes tried for this challenge', challenge.retryAfterMs);
    const user = await this.perUser.hit(this.key('user', userId));
    if (!user.admitted) throw tooManyAttempts('Too many codes tried; try again later', user.retryAfterMs);
  }

  async succeeded(userId: string): Promise<void> {
    await this.perUser.reset(this.key('user', userId)).catch(() => undefined);
  }

  private key(kind: string, id: string): string {
    return `${this.config.env.REDIS_KEY_PREFIX}:ratelimit:mfa-verify:${kind}:${id}`;
  }
}

import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../common/app-config.js';
import { sha256Hex } from '../common/crypto/tokens.js';
import { DomainError } from '../common/errors/domain-error.js';

// INCR and start the window on the first hit, atomically: returns [count, ms left in the window].
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

/**
 * Login rate limits in Redis, shared by every node: attempts per IP (slows credential stuffing) and
 * consecutive failures per account (slows guessing one password from many IPs).
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /**
   * Counts this attempt against the IP and refuses it when the IP or the account is over its limit.
   * Fails closed: without Redis the limits cannot hold, so sign-in waits (503) rather than run unthrottled.
   */
  async admit(tenant: string, email: string, ip: string | null): Promise<void> {
    await unavailableWithoutRedis(() => this.check(tenant, email, ip));
  }

  private async check(tenant: string, email: string, ip: string | null): Promise<void> {
    const env = this.config.env;
    if (ip) {
      const [count, ttl] = (await this.redis.eval(
        HIT,
        1,
        this.key('ip', ip),
        env.LOGIN_RATE_WINDOW_SECONDS * 1000,
      )) as [number, number];
      if (count > env.LOGIN_MAX_ATTEMPTS_PER_IP) throw tooMany(ttl);
    }
    const key = this.accountKey(tenant, email);
    const [failures, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    if (Number(failures ?? 0) >= env.LOGIN_MAX_FAILURES_PER_ACCOUNT) throw tooMany(ttl);
  }

  async recordFailure(tenant: string, email: string): Promise<void> {
    await unavailableWithoutRedis(() =>
      this.redis.eval(HIT, 1, this.accountKey(tenant, email), this.config.env.LOGIN_RATE_WINDOW_SECONDS * 1000),
    );
  }

  async reset(tenant: string, email: string): Promise<void> {
    await unavailableWithoutRedis(() => this.redis.del(this.accountKey(tenant, email)));
  }

  private accountKey(tenant: string, email: string): string {
    // Hashed so Redis never holds the e-mail addresses of people being attacked.
    return this.key('account', sha256Hex(`${tenant.toLowerCase()}\n${email.trim().toLowerCase()}`));
  }

  private key(kind: string, id: string): string {
    return `${this.config.env.REDIS_KEY_PREFIX}:ratelimit:login:${kind}:${id}`;
  }
}

function tooMany(ttlMs: number): DomainError {
  return new DomainError('too_many_attempts', 'Too many sign-in attempts; try again later', {
    retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
  });
}

async function unavailableWithoutRedis<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError('service_unavailable', 'Sign-in is temporarily unavailable; try again shortly', {
      retryAfterSeconds: 5,
      debug: error,
    });
  }
}

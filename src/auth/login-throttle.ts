import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../common/app-config.js';
import { AttemptLimiter } from '../common/attempt-limiter.js';
import { clientNetworkOf } from '../common/client-network.js';
import { sha256Hex } from '../common/crypto/tokens.js';

export type LoginLimit = 'ip' | 'account';

export type LoginAdmission =
  | { admitted: true }
  | {
      admitted: false;
      /** Which limit refused it. */
      limit: LoginLimit;
      /** The first refusal of this limit's window: the one that gets an audit entry. */
      firstInWindow: boolean;
      retryAfterMs: number;
    };

const UNAVAILABLE = 'Sign-in is temporarily unavailable; try again shortly';

/**
 * Login rate limits in Redis, shared by every node: attempts per client network (slows credential
 * stuffing) and attempts per account since its last successful sign-in (slows guessing one
 * password from many networks). Fails closed (503) without Redis.
 */
@Injectable()
export class LoginThrottle {
  private readonly perIp: AttemptLimiter;
  private readonly perAccount: AttemptLimiter;

  constructor(
    redis: Redis,
    private readonly config: AppConfig,
  ) {
    const env = config.env;
    const windowMs = env.LOGIN_RATE_WINDOW_SECONDS * 1000;
    this.perIp = new AttemptLimiter(redis, {
      limit: env.LOGIN_MAX_ATTEMPTS_PER_IP,
      windowMs,
      unavailable: UNAVAILABLE,
    });
    this.perAccount = new AttemptLimiter(redis, {
      limit: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      windowMs,
      unavailable: UNAVAILABLE,
    });
  }

  /**
   * Counts this attempt against its client network, then against the account, before any password is
   * checked: the account's budget is reserved up front, so parallel guesses cannot all slip in
   * while the first ones are still inside argon2. An attempt refused by its network does not spend
   * the account's budget.
   */
  async admit(tenant: string, email: string, ip: string | null): Promise<LoginAdmission> {
    if (ip) {
      const byIp = await this.perIp.hit(this.key('ip', clientNetworkOf(ip)));
      if (!byIp.admitted) return refused('ip', byIp);
    }
    const byAccount = await this.perAccount.hit(this.accountKey(tenant, email));
    return byAccount.admitted ? { admitted: true } : refused('account', byAccount);
  }

  /** After a successful sign-in: the account's budget is whole again. */
  async reset(tenant: string, email: string): Promise<void> {
    await this.perAccount.reset(this.accountKey(tenant, email));
  }

  private accountKey(tenant: string, email: string): string {
    // Hashed so Redis never holds the e-mail addresses of people being attacked.
    return this.key('account', sha256Hex(`${tenant.toLowerCase()}\n${email.trim().toLowerCase()}`));
  }

  private key(kind: string, id: string): string {
    return `${this.config.env.REDIS_KEY_PREFIX}:ratelimit:login:${kind}:${id}`;
  }
}

function refused(limit: LoginLimit, hit: { firstRefusal: boolean; retryAfterMs: number }): LoginAdmission {
  return { admitted: false, limit, firstInWindow: hit.firstRefusal, retryAfterMs: hit.retryAfterMs };
}

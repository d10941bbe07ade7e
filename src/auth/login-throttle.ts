import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../common/app-config.js';
import { AttemptLimiter } from '../common/attempt-limiter.js';
import { clientNetworkOf } from '../common/client-network.js';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/crypto/tokens.js';
import { LoginBackoff } from './login-backoff.js';

/** `account_network`: this account from this client network; `account`: the account-wide back-off. */
export type LoginLimit = 'ip' | 'account_network' | 'account';

export type LoginAdmission =
  | {
      admitted: true;
      /**
       * Hands back what this attempt counted, for an attempt that got no verdict: the database could not
       * be reached to check the password or to record the outcome, and the answer was 503 either way. An
       * outage must not spend anyone's limits, nor shut an account out once it is over.
       */
      refund(): Promise<void>;
    }
  | {
      admitted: false;
      /** Which limit refused it. */
      limit: LoginLimit;
      /** The first refusal of this limit's window: the one that gets an audit entry. */
      firstInWindow: boolean;
      retryAfterMs: number;
    };

const UNAVAILABLE = 'Sign-in is temporarily unavailable; try again shortly';
// The first wait of the back-off; it doubles with each further failure up to LOGIN_BACKOFF_MAX_SECONDS.
const BACKOFF_BASE_MS = 1000;

/**
 * Login rate limits in Redis, shared by every node, each counted on arrival (parallel guesses cannot
 * slip in while the first are still inside argon2) and, for an account, cleared by the right password,
 * so only failures add up:
 * - attempts per client network (slows credential stuffing);
 * - failures per (account, client network): a stranger guessing one account is refused for the window,
 *   without touching anyone else's access to it;
 * - failures per account from all networks: past the same threshold, an exponential back-off (not a
 *   hard stop) against guessing from many networks, which a client the owner is known to use skips.
 * Fails closed (503) without Redis.
 */
@Injectable()
export class LoginThrottle {
  private readonly perIp: AttemptLimiter;
  private readonly perAccountNetwork: AttemptLimiter;
  private readonly perAccount: LoginBackoff;

  constructor(
    redis: Redis,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    const env = config.env;
    const windowMs = env.LOGIN_RATE_WINDOW_SECONDS * 1000;
    this.perIp = new AttemptLimiter(redis, clock, {
      limit: env.LOGIN_MAX_ATTEMPTS_PER_IP,
      windowMs,
      unavailable: UNAVAILABLE,
    });
    this.perAccountNetwork = new AttemptLimiter(redis, clock, {
      limit: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      windowMs,
      unavailable: UNAVAILABLE,
    });
    const maxMs = env.LOGIN_BACKOFF_MAX_SECONDS * 1000;
    this.perAccount = new LoginBackoff(redis, {
      threshold: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      baseMs: BACKOFF_BASE_MS,
      maxMs,
      forgetAfterMs: windowMs + maxMs,
      unavailable: UNAVAILABLE,
    });
  }

  /**
   * Counts this attempt against its client network, then against (account, network), then against the
   * account; an attempt refused by one limit spends none of the next. `familiar` (database work) is
   * asked only when the account's back-off would refuse the attempt: whether it comes from a network
   * this account signed in from before, or with one of its remembered devices.
   */
  async admit(
    tenant: string,
    email: string,
    ip: string | null,
    familiar: () => Promise<boolean>,
  ): Promise<LoginAdmission> {
    const counted: (() => Promise<void>)[] = [];
    if (ip) {
      const ipKey = this.key('ip', clientNetworkOf(ip));
      const byIp = await this.perIp.hit(ipKey);
      if (!byIp.admitted) return refused('ip', byIp);
      counted.push(() => this.perIp.refund(ipKey, byIp));
    }
    const networkKey = this.accountNetworkKey(tenant, email, ip);
    const byNetwork = await this.perAccountNetwork.hit(networkKey);
    if (!byNetwork.admitted) return refused('account_network', byNetwork);
    counted.push(() => this.perAccountNetwork.refund(networkKey, byNetwork));
    const now = this.clock.now();
    const account = this.accountKey(tenant, email);
    let byAccount = await this.perAccount.attempt(account, now, false);
    if (!byAccount.admitted && (await familiar())) byAccount = await this.perAccount.attempt(account, now, true);
    if (!byAccount.admitted) return refused('account', byAccount);
    const streak = byAccount.counted!;
    counted.push(() => this.perAccount.refund(account, streak));
    return {
      admitted: true,
      refund: async () => {
        await Promise.all(counted.map((refund) => refund()));
      },
    };
  }

  /**
   * A sign-in attempt that names no account (a passkey prompt or answer): counted against its client
   * network, the limit every sign-in attempt from there shares.
   */
  async admitNetwork(ip: string | null): Promise<LoginAdmission> {
    if (!ip) return { admitted: true, refund: async () => undefined };
    const ipKey = this.key('ip', clientNetworkOf(ip));
    const byIp = await this.perIp.hit(ipKey);
    if (!byIp.admitted) return refused('ip', byIp);
    return { admitted: true, refund: () => this.perIp.refund(ipKey, byIp) };
  }

  /** After the right password: this network's and the account's failures are forgiven (others' are not). */
  async succeeded(tenant: string, email: string, ip: string | null): Promise<void> {
    // Sent together: ioredis writes both before either answers, one round trip on the connection.
    await Promise.all([
      this.perAccountNetwork.reset(this.accountNetworkKey(tenant, email, ip)),
      this.perAccount.reset(this.accountKey(tenant, email)),
    ]);
  }

  // Hashed so Redis never holds the e-mail addresses of people being attacked.
  private accountKey(tenant: string, email: string): string {
    return this.key('account', sha256Hex(accountId(tenant, email)));
  }

  private accountNetworkKey(tenant: string, email: string, ip: string | null): string {
    return this.key('account-network', sha256Hex(`${accountId(tenant, email)}\n${ip ? clientNetworkOf(ip) : ''}`));
  }

  private key(kind: string, id: string): string {
    return `${this.config.env.REDIS_KEY_PREFIX}:ratelimit:login:${kind}:${id}`;
  }
}

const accountId = (tenant: string, email: string) => `${tenant.toLowerCase()}\n${email.trim().toLowerCase()}`;

function refused(limit: LoginLimit, hit: { firstRefusal: boolean; retryAfterMs: number }): LoginAdmission {
  return { admitted: false, limit, firstInWindow: hit.firstRefusal, retryAfterMs: hit.retryAfterMs };
}

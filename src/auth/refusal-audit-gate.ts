import { Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../common/app-config.js';
import { CHALLENGE_TTL_MS } from './mfa-challenge.entity.js';

// Opens both windows that are not open yet; returns how many it opened.
const OPEN = `
local opened = 0
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then opened = opened + 1 end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then opened = opened + 1 end
return opened`;

/**
 * Decides which refused second-factor attempts get an audit entry, as login does for its limits: the
 * first refusal of a window per account (the login window, LOGIN_RATE_WINDOW_SECONDS) and per
 * challenge or session (a challenge's life, the window of its per-challenge limit). The others are
 * counted in the metrics only, so an attacker holding a challenge id or a session can neither flood
 * the log nor queue up on the tenant's chain head. The windows live in Redis like the limits they
 * shadow, shared by every node; without Redis every refusal is audited (better too many entries than
 * none).
 */
@Injectable()
export class RefusalAuditGate {
  private readonly logger = new Logger('RefusalAuditGate');

  constructor(
    private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** True for the refusal that opens the user's window or the challenge's (session's): it is audited. */
  async firstInWindow(userId: string, scopeId: string): Promise<boolean> {
    const { REDIS_KEY_PREFIX: prefix, LOGIN_RATE_WINDOW_SECONDS: windowSeconds } = this.config.env;
    try {
      const opened = await this.redis.eval(
        OPEN,
        2,
        `${prefix}:audit-window:mfa-refusal:user:${userId}`,
        `${prefix}:audit-window:mfa-refusal:scope:${scopeId}`,
        windowSeconds * 1000,
        CHALLENGE_TTL_MS,
      );
      return Number(opened) > 0;
    } catch (error) {
      this.logger.warn(`refusal audit window unavailable, auditing: ${(error as Error).message}`);
      return true;
    }
  }
}

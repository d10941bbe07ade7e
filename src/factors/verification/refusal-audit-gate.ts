import { Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../../common/app-config.js';
import { FirstOfWindow } from '../../common/first-of-window.js';
import { CHALLENGE_TTL_MS } from './challenge-subject.js';

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
  private readonly windows: FirstOfWindow;

  constructor(
    redis: Redis,
    private readonly config: AppConfig,
  ) {
    this.windows = new FirstOfWindow(redis);
  }

  /** True for the refusal that opens the user's window or the challenge's (session's): it is audited. */
  async firstInWindow(userId: string, scopeId: string): Promise<boolean> {
    const { REDIS_KEY_PREFIX: prefix, LOGIN_RATE_WINDOW_SECONDS: windowSeconds } = this.config.env;
    const first = await this.windows.opens([
      { key: `${prefix}:audit-window:mfa-refusal:user:${userId}`, ms: windowSeconds * 1000 },
      { key: `${prefix}:audit-window:mfa-refusal:scope:${scopeId}`, ms: CHALLENGE_TTL_MS },
    ]);
    if (first !== null) return first;
    this.logger.warn('refusal audit window unavailable, auditing');
    return true;
  }
}

import { EntityRepository } from '@mikro-orm/postgresql';
import type { MfaReset } from './mfa-reset.entity.js';

/**
 * Queries named by intent. A reset is live while its link is neither used nor replaced nor expired;
 * every change to one is a conditional UPDATE, so the database, not a read-then-write, decides races.
 */
export class MfaResetRepository extends EntityRepository<MfaReset> {
  /** Every earlier link of the user stops working: only the newest reset can be used. */
  revokePendingForUser(tenantId: string, userId: string, now: Date): Promise<number> {
    return this.nativeUpdate({ tenantId, userId, usedAt: null }, { usedAt: now });
  }

  /**
   * Stores the hash of the token being mailed on a reset that is still live, replacing any earlier
   * one so that only the last link mailed works; null when the reset is no longer live.
   */
  async storeLinkToken(tenantId: string, id: string, tokenHash: string, now: Date): Promise<MfaReset | null> {
    const updated = await this.nativeUpdate({ tenantId, id, usedAt: null, expiresAt: { $gt: now } }, { tokenHash });
    return updated === 1 ? this.findOne({ tenantId, id }) : null;
  }

  /**
   * The live reset a link's token opens, looked up by the token's hash (a unique index, no comparison
   * over candidates), so an unknown token learns nothing. The token alone says which tenant.
   */
  findLiveByTokenHash(tokenHash: string, now: Date): Promise<MfaReset | null> {
    return this.findOne({ tokenHash, usedAt: null, expiresAt: { $gt: now } });
  }

  /**
   * Uses the link up in one conditional UPDATE, true for the one caller that won: a link opens at
   * most one session even when it is opened twice at once (invariant 3).
   */
  async markUsed(reset: MfaReset, now: Date): Promise<boolean> {
    const updated = await this.nativeUpdate(
      { id: reset.id, tenantId: reset.tenantId, usedAt: null, expiresAt: { $gt: now } },
      { usedAt: now },
    );
    return updated === 1;
  }

  /** The reset's session verified a factor that replaced the old ones; a reset completes once. */
  async complete(tenantId: string, id: string, now: Date): Promise<boolean> {
    return (await this.nativeUpdate({ tenantId, id, completedAt: null }, { completedAt: now })) === 1;
  }
}

import { EntityRepository, LockMode } from '@mikro-orm/postgresql';
import { type Factor, PENDING_FACTOR_TTL_MS } from './factor.entity.js';

/** Queries named by intent; every one is scoped by tenant and user (invariant 5). */
export class FactorRepository extends EntityRepository<Factor> {
  /** The user's own factor: another user's or another tenant's id finds nothing. */
  findForUser(tenantId: string, userId: string, id: string): Promise<Factor | null> {
    return this.findOne({ tenantId, userId, id });
  }

  /** Active TOTP factors plus pending ones still verifiable: what the per-user limit counts. */
  countLiveTotp(tenantId: string, userId: string, now: Date): Promise<number> {
    const abandonedBefore = new Date(now.getTime() - PENDING_FACTOR_TTL_MS);
    return this.count({
      tenantId,
      userId,
      type: 'totp',
      $or: [{ status: 'active' }, { status: 'pending', createdAt: { $gt: abandonedBefore } }],
    });
  }

  /**
   * Accepts TOTP time `step` for the factor in one conditional UPDATE, true when this call won. The
   * database decides, not a read-then-write: a step is accepted at most once and never one older than
   * the last accepted, however many requests race (the losers re-check the row after the winner
   * commits and no longer match). A pending factor becomes active in the same statement.
   */
  async acceptStep(factor: Factor, step: number, now: Date): Promise<boolean> {
    const activation = factor.status === 'pending' ? { status: 'active' as const, verifiedAt: now } : {};
    const updated = await this.nativeUpdate(
      {
        id: factor.id,
        tenantId: factor.tenantId,
        status: factor.status,
        $or: [{ lastUsedStep: null }, { lastUsedStep: { $lt: step } }],
      },
      { lastUsedStep: step, lastUsedAt: now, ...activation },
    );
    return updated === 1;
  }

  /**
   * The next `limit` factors (in id order, after `afterId`) whose secret is sealed under a key other
   * than `keyId`, row-locked until the transaction ends. Factors without a secret never match.
   */
  lockSealedUnderOtherKeys(keyId: string, afterId: string | null, limit: number): Promise<Factor[]> {
    return this.find(
      { secretKeyId: { $ne: keyId }, ...(afterId ? { id: { $gt: afterId } } : {}) },
      { orderBy: { id: 'asc' }, limit, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
  }
}

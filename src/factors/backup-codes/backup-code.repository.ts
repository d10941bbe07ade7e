import { EntityRepository } from '@mikro-orm/postgresql';
import type { BackupCode } from './backup-code.entity.js';

/** Queries named by intent; every one is scoped by tenant and user (invariant 5). */
export class BackupCodeRepository extends EntityRepository<BackupCode> {
  findUnused(tenantId: string, userId: string): Promise<BackupCode[]> {
    return this.find({ tenantId, userId, usedAt: null });
  }

  countUnused(tenantId: string, userId: string): Promise<number> {
    return this.count({ tenantId, userId, usedAt: null });
  }

  /** Deletes every code of the user, used or not: a new set replaces the old one entirely. */
  deleteAllForUser(tenantId: string, userId: string): Promise<number> {
    return this.nativeDelete({ tenantId, userId });
  }

  /**
   * Uses the code up in one conditional UPDATE, true for the one caller that won: the database
   * decides, so a code opens at most one session however many requests race (invariant 3).
   */
  async markUsed(code: BackupCode, now: Date): Promise<boolean> {
    const updated = await this.nativeUpdate(
      { id: code.id, tenantId: code.tenantId, userId: code.userId, usedAt: null },
      { usedAt: now },
    );
    return updated === 1;
  }
}

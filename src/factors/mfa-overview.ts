import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { BackupCode } from './backup-codes/backup-code.entity.js';
import { Factor, type FactorType } from './factor.entity.js';

/** When this few codes remain, the user is told to make a new set before they run out. */
export const BACKUP_CODES_LOW_AT = 2;

export interface MfaOverview {
  enrolled: boolean;
  factors: { id: string; type: FactorType; label: string; createdAt: string; lastUsedAt: string | null }[];
  backupCodesRemaining: number;
  backupCodesLow: boolean;
}

/** A user's MFA at a glance (for `/v1/me`): active factors and how many backup codes are left. */
@Injectable()
export class MfaOverviewReader {
  constructor(private readonly orm: MikroORM) {}

  async forUser(tenantId: string, userId: string): Promise<MfaOverview> {
    const em = this.orm.em.fork();
    const [factors, remaining] = await Promise.all([
      em.find(Factor, { tenantId, userId, status: 'active' }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
      em.getRepository(BackupCode).countUnused(tenantId, userId),
    ]);
    return mfaOverviewOf(
      factors.map((f) => ({
        id: f.id,
        type: f.type,
        label: f.label,
        createdAt: f.createdAt.toISOString(),
        lastUsedAt: f.lastUsedAt?.toISOString() ?? null,
      })),
      remaining,
    );
  }
}

/** The overview of these active factors (oldest first) and this many unused backup codes. */
export function mfaOverviewOf(factors: MfaOverview['factors'], backupCodesRemaining: number): MfaOverview {
  const enrolled = factors.length > 0;
  return {
    enrolled,
    factors,
    backupCodesRemaining,
    backupCodesLow: enrolled && backupCodesRemaining <= BACKUP_CODES_LOW_AT,
  };
}

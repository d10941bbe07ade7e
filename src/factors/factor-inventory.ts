import type { EntityManager } from '@mikro-orm/postgresql';
import type { FactorType } from './factor.entity.js';
import type { ChallengeSubject } from './verification/challenge-subject.js';
import type { FailureStreakState } from './verification/mfa-failure-streaks.js';

/** What a user can answer a second-factor check with, read in one statement. */
export interface FactorInventory {
  /** Types of the user's active factors. */
  activeTypes: ReadonlySet<FactorType>;
  backupCodesRemaining: number;
  /** When the newest active factor was verified: a remembered device issued before it is void. */
  lastFactorVerifiedAt: Date | null;
  /** The user's run of failed checks, if one is on record (what `MfaFailureStreaks` judges). */
  failureStreak: FailureStreakState | null;
}

export interface FactorInventoryRow {
  factor_types: FactorType[];
  factor_verified_ms: string | null;
  backup_codes: number;
  failure_streak: { locked: boolean; blocked_until_ms: string | null } | null;
}

/**
 * The inventory as select-list columns for the user whose tenant and id are the SQL expressions given,
 * so a caller that reads the user's row anyway (sign-in, locking it) gets them in the same statement.
 * Instants travel as epoch milliseconds: raw rows carry timestamps as text.
 */
export function factorInventoryColumns(tenantId: string, userId: string): string {
  const active = `from factors f where f.tenant_id = ${tenantId} and f.user_id = ${userId} and f.status = 'active'`;
  return `coalesce((select array_agg(distinct f.type) ${active}), '{}')::text[] as factor_types,
    (select (extract(epoch from max(f.verified_at)) * 1000)::bigint ${active}) as factor_verified_ms,
    (select count(*) from backup_codes b
      where b.tenant_id = ${tenantId} and b.user_id = ${userId} and b.used_at is null)::int as backup_codes,
    (select json_build_object('locked', s.locked_at is not null,
                              'blocked_until_ms', (extract(epoch from s.blocked_until) * 1000)::bigint)
       from mfa_failure_streaks s where s.tenant_id = ${tenantId} and s.user_id = ${userId}) as failure_streak`;
}

export const factorInventoryFrom = (row: FactorInventoryRow): FactorInventory => ({
  activeTypes: new Set(row.factor_types),
  backupCodesRemaining: row.backup_codes,
  lastFactorVerifiedAt: row.factor_verified_ms === null ? null : new Date(Number(row.factor_verified_ms)),
  failureStreak: row.failure_streak && {
    locked: row.failure_streak.locked,
    blockedUntil:
      row.failure_streak.blocked_until_ms === null ? null : new Date(Number(row.failure_streak.blocked_until_ms)),
  },
});

/** The inventory on its own (step-up, a step-up's e-mailed code). */
export async function factorInventoryOf(em: EntityManager, subject: ChallengeSubject): Promise<FactorInventory> {
  const { tenantId, userId } = subject;
  // Each `?` pair is one (tenant, user) of the four lookups, in order.
  const [row] = await em.execute<FactorInventoryRow[]>(`select ${factorInventoryColumns('?', '?')}`, [
    tenantId,
    userId,
    tenantId,
    userId,
    tenantId,
    userId,
    tenantId,
    userId,
  ]);
  return factorInventoryFrom(row!);
}

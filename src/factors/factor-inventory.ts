import type { EntityManager } from '@mikro-orm/postgresql';
import type { FactorType } from './factor.entity.js';
import type { ChallengeSubject } from './verification/challenge-subject.js';

/** What a user can answer a second-factor check with, read in one statement. */
export interface FactorInventory {
  /** Types of the user's active factors. */
  activeTypes: ReadonlySet<FactorType>;
  backupCodesRemaining: number;
  /** When the newest active factor was verified: a remembered device issued before it is void. */
  lastFactorVerifiedAt: Date | null;
}

export interface FactorInventoryRow {
  factor_types: FactorType[];
  factor_verified_ms: string | null;
  backup_codes: number;
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
      where b.tenant_id = ${tenantId} and b.user_id = ${userId} and b.used_at is null)::int as backup_codes`;
}

export const factorInventoryFrom = (row: FactorInventoryRow): FactorInventory => ({
  activeTypes: new Set(row.factor_types),
  backupCodesRemaining: row.backup_codes,
  lastFactorVerifiedAt: row.factor_verified_ms === null ? null : new Date(Number(row.factor_verified_ms)),
});

/** The inventory on its own (step-up, a step-up's e-mailed code). */
export async function factorInventoryOf(em: EntityManager, subject: ChallengeSubject): Promise<FactorInventory> {
  const { tenantId, userId } = subject;
  // Each `?` pair is one (tenant, user) of the three lookups, in order.
  const [row] = await em.execute<FactorInventoryRow[]>(`select ${factorInventoryColumns('?', '?')}`, [
    tenantId,
    userId,
    tenantId,
    userId,
    tenantId,
    userId,
  ]);
  return factorInventoryFrom(row!);
}

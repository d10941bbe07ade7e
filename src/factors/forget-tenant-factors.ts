import type { Tx } from '../common/cqrs/unit-of-work.js';
import { RememberedDevices } from '../sessions/index.js';
import { BackupCode } from './backup-codes/backup-code.entity.js';
import { Factor } from './factor.entity.js';
import { MfaFailureStreak } from './verification/mfa-failure-streak.entity.js';

export interface ForgottenFactors {
  factorsRemoved: number;
  usersAffected: number;
  backupCodesDeleted: number;
  rememberedDevicesDeleted: number;
}

/**
 * Every factor of the tenant, pending or active, with what hangs on them (e-mail codes by cascade,
 * backup codes, remembered devices), inside the caller's transaction: after a suspected compromise
 * of the factors themselves, every user must enrol afresh.
 */
export async function forgetTenantFactors(tx: Tx, tenantId: string): Promise<ForgottenFactors> {
  const [users] = await tx.em.execute<{ n: number }[]>(
    `select count(distinct user_id)::int as n from factors where tenant_id = ? and status = 'active'`,
    [tenantId],
  );
  const factorsRemoved = await tx.em.nativeDelete(Factor, { tenantId });
  const backupCodesDeleted = await tx.em.nativeDelete(BackupCode, { tenantId });
  const rememberedDevicesDeleted = await RememberedDevices.forget(tx, { tenantId, allUsers: true });
  // Locks after too many wrong codes were about factors that no longer exist.
  await tx.em.getRepository(MfaFailureStreak).forgetTenant(tenantId);
  return { factorsRemoved, usersAffected: users?.n ?? 0, backupCodesDeleted, rememberedDevicesDeleted };
}

/** The users `forgetTenantFactors` affects: those with an active factor (call it first). */
export async function usersWithActiveFactors(tx: Tx, tenantId: string): Promise<string[]> {
  const rows = await tx.em.execute<{ user_id: string }[]>(
    `select distinct user_id from factors where tenant_id = ? and status = 'active'`,
    [tenantId],
  );
  return rows.map((r) => r.user_id);
}

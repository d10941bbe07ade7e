import type { Tx } from '../common/cqrs/unit-of-work.js';
import { BackupCode } from './backup-codes/backup-code.entity.js';

/**
 * What must not outlive the factors it was issued for: the user's backup codes (a second factor of
 * their own, useless and risky without MFA), deleted inside the caller's transaction when the last
 * active factor is removed or an MFA reset replaces the old factors. Remembered devices are not here:
 * every change of factors ends them (`RememberedDevices.forget`). Returns counts for the audit entry.
 */
export async function forgetMfaLeftovers(
  tx: Tx,
  owner: { tenantId: string; userId: string },
): Promise<{ backupCodesDeleted: number }> {
  const backupCodesDeleted = await tx.em.getRepository(BackupCode).deleteAllForUser(owner.tenantId, owner.userId);
  return { backupCodesDeleted };
}

import type { Tx } from '../common/cqrs/unit-of-work.js';
import { BackupCode } from './backup-codes/backup-code.entity.js';

/**
 * What must not outlive a user's last active factor, deleted in the removal's transaction: backup
 * codes (a second factor of their own, useless and risky without MFA) and, once they exist,
 * remembered devices. Returns counts for the audit entry.
 */
export async function forgetMfaLeftovers(
  tx: Tx,
  owner: { tenantId: string; userId: string },
): Promise<{ backupCodesDeleted: number }> {
  const backupCodesDeleted = await tx.em.getRepository(BackupCode).deleteAllForUser(owner.tenantId, owner.userId);
  return { backupCodesDeleted };
}

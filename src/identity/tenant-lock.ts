import type { Tx } from '../common/cqrs/unit-of-work.js';

/**
 * Holds the tenant's row until the transaction ends: changes to one tenant's settings (its MFA policy
 * versions, say) then run one at a time, each against what the previous one saved.
 */
export async function lockTenant(tx: Tx, tenantId: string): Promise<void> {
  await tx.em.execute('select id from tenants where id = ? for update', [tenantId]);
}

/** Records which MFA policy version is in force, in the transaction that saved it (under `lockTenant`). */
export async function recordMfaPolicyVersion(tx: Tx, tenantId: string, version: number): Promise<void> {
  await tx.em.execute('update tenants set mfa_policy_version = ? where id = ?', [version, tenantId]);
}

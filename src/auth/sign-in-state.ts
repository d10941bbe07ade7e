import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from '../common/access/roles.js';
import {
  factorInventoryColumns,
  type FactorInventory,
  factorInventoryFrom,
  type FactorInventoryRow,
} from '../factors/index.js';

/** What opening a session after the right password needs to know about the user, read in one statement. */
export interface SignInState {
  passwordHash: string | null;
  roles: Role[];
  passwordChangedAt: Date | null;
  inventory: FactorInventory;
  scopeStartedAt: Date | null;
}

interface SignInStateRow extends FactorInventoryRow {
  password_hash: string | null;
  roles: Role[];
  password_changed_ms: string | null;
  scope_started_ms: string | null;
}

/**
 * The user's row, locked `FOR SHARE` until the caller's transaction ends (see the login handler: a
 * password change cannot slip between the check and the new session), with their factor inventory
 * (factors') and scope start (policy's) beside it: one round trip where three slices' reads were five.
 * Auth sits above all three; every write to those tables stays with its owner.
 */
export async function lockSignInState(
  em: EntityManager,
  subject: { tenantId: string; userId: string },
): Promise<SignInState | null> {
  const [row] = await em.execute<SignInStateRow[]>(
    `select u.password_hash, u.roles::text[] as roles,
            (extract(epoch from u.password_changed_at) * 1000)::bigint as password_changed_ms,
            ${factorInventoryColumns('u.tenant_id', 'u.id')},
            (select (extract(epoch from s.started_at) * 1000)::bigint from mfa_scope_starts s
              where s.tenant_id = u.tenant_id and s.user_id = u.id) as scope_started_ms
       from users u
      where u.tenant_id = ? and u.id = ?
        for share of u`,
    [subject.tenantId, subject.userId],
  );
  if (!row) return null;
  return {
    passwordHash: row.password_hash,
    roles: row.roles,
    passwordChangedAt: instant(row.password_changed_ms),
    inventory: factorInventoryFrom(row),
    scopeStartedAt: instant(row.scope_started_ms),
  };
}

const instant = (ms: string | null) => (ms === null ? null : new Date(Number(ms)));

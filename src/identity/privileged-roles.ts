import type { Role } from '../common/access/roles.js';

/** Roles that hold power over other users (manage the tenant, end sessions): granting one needs a fresh re-auth. */
const PRIVILEGED: readonly Role[] = ['admin', 'manager'];

/** The privileged roles in `after` that `before` did not hold. */
export function privilegedRolesGranted(before: readonly Role[], after: readonly Role[]): Role[] {
  return after.filter((role) => PRIVILEGED.includes(role) && !before.includes(role));
}

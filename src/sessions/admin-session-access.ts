import { hasPermission, type TenantPrincipal } from '../common/access/principal.js';
import type { Role } from '../common/access/roles.js';
import { adminSessionsProtected } from './sessions.errors.js';

/** Admins, and API keys an admin issued with `sessions:manage`, may act on admins' sessions; managers may not. */
export const mayManageAdmins = (p: TenantPrincipal) => p.kind === 'api_key' || hasPermission(p, 'tenant:manage');

/** Whether the caller may see (and end) the sessions of a user with these roles. */
export const maySeeSessionsOf = (p: TenantPrincipal, roles: readonly Role[]) =>
  !roles.includes('admin') || mayManageAdmins(p);

/** 403 unless the caller may see the sessions of a user with these roles. */
export function assertMaySeeSessionsOf(p: TenantPrincipal, roles: readonly Role[]): void {
  if (!maySeeSessionsOf(p, roles)) throw adminSessionsProtected();
}

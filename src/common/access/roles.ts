/** What a role may do. Roles are the tenant's vocabulary; permissions are what routes check. */
export const PERMISSIONS = ['tenant:manage', 'users:read', 'sessions:manage', 'audit:read'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'manager', 'member'] as const;
export type Role = (typeof ROLES)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  manager: ['users:read', 'sessions:manage'],
  member: [],
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((role) => GRANTS[role]));
}

/** API-key scopes: the permissions an integration may hold, plus the Disconnect API and the audit stream's sinks. */
export const API_KEY_SCOPES = [...PERMISSIONS, 'sessions:disconnect', 'audit:stream'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

import type { Actor } from '../common/actor.js';
import type { ApiKeyScope, Permission, Role } from '../identity/roles.js';
import type { Session } from '../sessions/session.entity.js';

export interface UserPrincipal {
  kind: 'user';
  tenantId: string;
  userId: string;
  roles: Role[];
  permissions: ReadonlySet<Permission>;
  session: Session;
}

export interface ApiKeyPrincipal {
  kind: 'api_key';
  tenantId: string;
  apiKeyId: string;
  scopes: ReadonlySet<ApiKeyScope>;
}

export interface OperatorPrincipal {
  kind: 'operator';
}

export type Principal = UserPrincipal | ApiKeyPrincipal | OperatorPrincipal;
export type TenantPrincipal = UserPrincipal | ApiKeyPrincipal;

export function actorOf(p: Principal): Actor {
  if (p.kind === 'user') return { type: 'user', id: p.userId };
  if (p.kind === 'api_key') return { type: 'api_key', id: p.apiKeyId };
  return { type: 'operator', id: null };
}

export function hasPermission(p: TenantPrincipal, permission: ApiKeyScope): boolean {
  return p.kind === 'user' ? p.permissions.has(permission as Permission) : p.scopes.has(permission);
}

import type { Actor } from '../actor.js';
import type { PrincipalReads } from './principal-read.js';
import type { ApiKeyScope, Permission, Role } from './roles.js';

/**
 * The session a signed-in user acts through, as far as the slices below sessions need it. The guard
 * puts the sessions slice's entity here; a slice that may import sessions reads it as `UserPrincipal<Session>`.
 */
export interface PrincipalSession {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  /** The last password or factor check: the re-auth window counts from here. */
  readonly authenticatedAt: Date;
  readonly stepUpRequiredAt: Date | null;
  readonly mfaVerifiedAt: Date | null;
  readonly mfaResetId: string | null;
}

export interface UserPrincipal<S extends PrincipalSession = PrincipalSession> {
  kind: 'user';
  tenantId: string;
  userId: string;
  email: string;
  /** Read with the session: the tenant's names, and which MFA policy version is in force. */
  tenant: { slug: string; name: string; mfaPolicyVersion: number };
  roles: Role[];
  permissions: ReadonlySet<Permission>;
  session: S;
  /** What the route asked the guard to read with the session (`ReadsWithPrincipal`). */
  reads: PrincipalReads;
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

export type Principal<S extends PrincipalSession = PrincipalSession> =
  UserPrincipal<S> | ApiKeyPrincipal | OperatorPrincipal;
export type TenantPrincipal<S extends PrincipalSession = PrincipalSession> = UserPrincipal<S> | ApiKeyPrincipal;

export function actorOf(p: Principal): Actor {
  if (p.kind === 'user') return { type: 'user', id: p.userId };
  if (p.kind === 'api_key') return { type: 'api_key', id: p.apiKeyId };
  return { type: 'operator', id: null };
}

export function hasPermission(p: TenantPrincipal, permission: ApiKeyScope): boolean {
  return p.kind === 'user' ? p.permissions.has(permission as Permission) : p.scopes.has(permission);
}

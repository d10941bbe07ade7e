import { acceptedMethodsSql, inScopeSql } from '../../policy/index.js';

/** What saving a policy would find in a tenant, before deadlines are worked out from it. */
export interface ScopePreview {
  /** Users the policy would cover. */
  inScope: number;
  /** Of those, users with an active factor of an allowed method. */
  enrolled: number;
  /** Not-enrolled users whose deadline (kept scope start + the proposed period) would already have passed. */
  alreadyOverdue: number;
  /** The earliest scope start among not-enrolled users in scope; null when there is none. */
  earliestStartNotEnrolled: Date | null;
}

// The same rules as the engine and `MfaScopeStartRepository.syncTenant`: in scope when MFA is required
// and the roles meet `requiredRoles` (empty = every role); enrolled with an active factor of a method
// accepted for the user's roles (`acceptedMethodsFor`); the scope start is the one kept for a user already in scope, else now (what a save would
// record). Methods go in as one PostgreSQL array literal: an array parameter would be expanded into a
// list. Roles and methods are closed sets of plain words (the schema checks), so the literals need no quoting.
export const SCOPE_PREVIEW_SQL = `
  with scoped as (
    select exists (
             select 1 from factors f
              where f.user_id = u.id and f.tenant_id = u.tenant_id
                and f.status = 'active' and f.type = any(${acceptedMethodsSql('u.roles')})
           ) as enrolled,
           coalesce(s.started_at, ?::timestamptz) as started_at
      from users u
      left join mfa_scope_starts s on s.user_id = u.id and s.tenant_id = u.tenant_id
     where u.tenant_id = ?
       and ${inScopeSql('u.roles')}
  )
  select count(*)::int as in_scope,
         (count(*) filter (where enrolled))::int as enrolled,
         (count(*) filter (where not enrolled and started_at <= ?::timestamptz))::int as overdue,
         (extract(epoch from min(started_at) filter (where not enrolled)) * 1000)::bigint as earliest_start_ms
    from scoped`;

export interface ScopePreviewRow {
  in_scope: number;
  enrolled: number;
  overdue: number;
  /** bigint: text from the driver; null when every user in scope is enrolled. */
  earliest_start_ms: string | null;
}

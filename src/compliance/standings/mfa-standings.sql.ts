import type { Role } from '../../common/access/roles.js';
import type { MfaCompliance, MfaMethod } from '../../policy/index.js';
import { acceptedMethodsSql, inScopeSql } from '../../policy/index.js';

/** Which users a page of standings lists (`?mfa=` of `GET /v1/admin/users`). */
export type MfaStandingFilter = 'enrolled' | 'not_enrolled' | 'grace' | 'overdue';

/** A user of the tenant with what the list needs to judge their MFA standing. */
export interface UserMfaRow {
  id: string;
  email: string;
  roles: Role[];
  createdAt: Date;
  /** Distinct types of the user's active factors, sorted. */
  activeFactorTypes: MfaMethod[];
  scopeStartedAt: Date | null;
  /** The status the SQL decided (and filtered on); the caller checks it against the engine. */
  sqlStatus: MfaCompliance['status'];
}

// The engine's rules, in SQL, so a filtered page is filled by the database instead of by fetching the
// whole tenant: not in scope → exempt; an active factor of a method accepted for the user's roles
// (`acceptedMethodsFor`) → compliant; else grace
// until the deadline millisecond (scope start, or now when none is recorded, + whole 24 h periods,
// never calendar days, as `graceDeadline` counts), overdue from it on. Roles and methods go in as one
// PostgreSQL array literal each: an array parameter would be expanded into a list.
export const STANDINGS_SQL = `
  select id, email, roles, created_ms, factor_types, started_ms, status
    from (
      select u.id, u.email, u.roles::text[] as roles,
             (extract(epoch from u.created_at) * 1000)::bigint as created_ms,
             coalesce(f.types, '{}') as factor_types,
             (extract(epoch from s.started_at) * 1000)::bigint as started_ms,
             coalesce(f.types && ${acceptedMethodsSql('u.roles')}, false) as enrolled,
             case
               when not ${inScopeSql('u.roles')} then 'exempt'
               when coalesce(f.types && ${acceptedMethodsSql('u.roles')}, false) then 'compliant'
               when ?::timestamptz < coalesce(s.started_at, ?::timestamptz) + make_interval(hours => 24 * ?::int)
                 then 'grace'
               else 'overdue'
             end as status
        from users u
        left join lateral (
          select array_agg(distinct f.type order by f.type)::text[] as types
            from factors f
           where f.user_id = u.id and f.tenant_id = u.tenant_id and f.status = 'active'
        ) f on true
        left join mfa_scope_starts s on s.user_id = u.id and s.tenant_id = u.tenant_id
       where u.tenant_id = ? and %AFTER%
    ) listed
   where %FILTER%
   order by id
   limit ?`;

export const STANDING_FILTER_SQL: Record<MfaStandingFilter | 'none', string> = {
  none: 'true',
  enrolled: 'enrolled',
  not_enrolled: `status in ('grace', 'overdue')`,
  grace: `status = 'grace'`,
  overdue: `status = 'overdue'`,
};

export interface StandingRow {
  id: string;
  email: string;
  roles: Role[];
  /** bigint: text from the driver. */
  created_ms: string;
  factor_types: MfaMethod[];
  started_ms: string | null;
  status: MfaCompliance['status'];
}

export const userMfaRowOf = (row: StandingRow): UserMfaRow => ({
  id: row.id,
  email: row.email,
  roles: row.roles,
  createdAt: new Date(Number(row.created_ms)),
  activeFactorTypes: row.factor_types,
  scopeStartedAt: row.started_ms === null ? null : new Date(Number(row.started_ms)),
  sqlStatus: row.status,
});

import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Role } from '../common/access/roles.js';
import { pgTextArray } from '../infra/database/pg-text-array.js';
import type { MfaFilter } from './dto/admin-users-mfa.schemas.js';
import type { EnforcementRules, MfaCompliance, MfaMethod } from '../policy/index.js';

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
// whole tenant: not in scope → exempt; an active factor of an allowed method → compliant; else grace
// until the deadline millisecond (scope start, or now when none is recorded, + whole 24 h periods,
// never calendar days, as `graceDeadline` counts), overdue from it on. Roles and methods go in as one
// PostgreSQL array literal each: an array parameter would be expanded into a list.
const LIST_SQL = `
  select id, email, roles, created_ms, factor_types, started_ms, status
    from (
      select u.id, u.email, u.roles::text[] as roles,
             (extract(epoch from u.created_at) * 1000)::bigint as created_ms,
             coalesce(f.types, '{}') as factor_types,
             (extract(epoch from s.started_at) * 1000)::bigint as started_ms,
             coalesce(f.types && ?::text[], false) as enrolled,
             case
               when not (?::boolean and (cardinality(?::text[]) = 0 or u.roles && ?::text[])) then 'exempt'
               when coalesce(f.types && ?::text[], false) then 'compliant'
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

const FILTER_SQL: Record<MfaFilter | 'none', string> = {
  none: 'true',
  enrolled: 'enrolled',
  not_enrolled: `status in ('grace', 'overdue')`,
  grace: `status = 'grace'`,
  overdue: `status = 'overdue'`,
};

interface Row {
  id: string;
  email: string;
  roles: Role[];
  /** bigint: text from the driver. */
  created_ms: string;
  factor_types: MfaMethod[];
  started_ms: string | null;
  status: MfaCompliance['status'];
}

/** Users of a tenant with their MFA standing, keyset-paged by id and filtered in the database. */
@Injectable()
export class UsersMfaDirectory {
  constructor(private readonly orm: MikroORM) {}

  /** Up to `limit` users after `after` (an id) matching `filter` under `rules` at `now`, by id ascending. */
  async page(
    tenantId: string,
    rules: EnforcementRules,
    now: Date,
    q: { after?: string; filter?: MfaFilter; limit: number },
  ): Promise<UserMfaRow[]> {
    const methods = pgTextArray(rules.allowedMethods);
    const roles = pgTextArray(rules.requiredRoles);
    const sql = LIST_SQL.replace('%AFTER%', q.after ? 'u.id > ?' : 'true').replace(
      '%FILTER%',
      FILTER_SQL[q.filter ?? 'none'],
    );
    const rows = await this.orm.em
      .fork()
      .execute<Row[]>(sql, [
        methods,
        rules.requireMfa,
        roles,
        roles,
        methods,
        now,
        now,
        rules.gracePeriodDays,
        tenantId,
        ...(q.after ? [q.after] : []),
        q.limit,
      ]);
    return rows.map((row) => ({
      id: row.id,
      email: row.email,
      roles: row.roles,
      createdAt: new Date(Number(row.created_ms)),
      activeFactorTypes: row.factor_types,
      scopeStartedAt: row.started_ms === null ? null : new Date(Number(row.started_ms)),
      sqlStatus: row.status,
    }));
  }
}

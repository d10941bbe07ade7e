import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { pgTextArray } from '../infra/database/pg-text-array.js';
import { type EnforcementRules, graceDeadline } from '../policy/index.js';

/** What saving a policy would do to a tenant's users, as `POST /v1/admin/mfa-policy/preview` answers it. */
export interface MfaPolicyPreviewResult {
  /** Users the policy would cover. */
  inScope: number;
  /** Of those, users with an active factor of an allowed method. */
  enrolled: number;
  notEnrolled: number;
  /** The deadline of a user coming into scope now; null when the policy requires no MFA. */
  deadline: string | null;
  /** Not-enrolled users whose deadline (kept scope start + the proposed period) would already have passed. */
  alreadyOverdue: number;
  /** The earliest deadline among not-enrolled users in scope; null when there is none. */
  earliestDeadline: string | null;
}

// The same rules as the engine and `MfaScopeStarts.syncTenant`: in scope when MFA is required and the
// roles meet `requiredRoles` (empty = every role); enrolled with an active factor of an allowed method;
// the scope start is the one kept for a user already in scope, else now (what a save would record).
// Roles and methods go in as one PostgreSQL array literal each: an array parameter would be expanded
// into a list. Both are closed sets of plain words (the schema checks), so the literals need no quoting.
const PREVIEW_SQL = `
  with scoped as (
    select exists (
             select 1 from factors f
              where f.user_id = u.id and f.tenant_id = u.tenant_id
                and f.status = 'active' and f.type = any(?::text[])
           ) as enrolled,
           coalesce(s.started_at, ?::timestamptz) as started_at
      from users u
      left join mfa_scope_starts s on s.user_id = u.id and s.tenant_id = u.tenant_id
     where u.tenant_id = ?
       and ?::boolean and (cardinality(?::text[]) = 0 or u.roles && ?::text[])
  )
  select count(*)::int as in_scope,
         (count(*) filter (where enrolled))::int as enrolled,
         (count(*) filter (where not enrolled and started_at <= ?::timestamptz))::int as overdue,
         (extract(epoch from min(started_at) filter (where not enrolled)) * 1000)::bigint as earliest_start_ms
    from scoped`;

interface Row {
  in_scope: number;
  enrolled: number;
  overdue: number;
  /** bigint: text from the driver; null when every user in scope is enrolled. */
  earliest_start_ms: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The effect of a proposed policy on a tenant, computed with one aggregate query and without saving
 * anything, so an admin sees who would be caught out (e.g. by a shorter grace period) before saving.
 */
@Injectable()
export class MfaPolicyPreview {
  constructor(private readonly orm: MikroORM) {}

  async preview(tenantId: string, rules: EnforcementRules, now: Date): Promise<MfaPolicyPreviewResult> {
    const roles = pgTextArray(rules.requiredRoles);
    // Overdue from the deadline millisecond on (as the engine says): start + period ≤ now ⇔ start ≤ now − period.
    // Whole periods of 24 h, never calendar days, so the cutoff matches `graceDeadline` across DST changes.
    const cutoff = new Date(now.getTime() - rules.gracePeriodDays * DAY_MS);
    const [row] = await this.orm.em
      .fork()
      .execute<Row[]>(PREVIEW_SQL, [
        pgTextArray(rules.allowedMethods),
        now,
        tenantId,
        rules.requireMfa,
        roles,
        roles,
        cutoff,
      ]);
    const { in_scope: inScope, enrolled, overdue, earliest_start_ms: earliest } = row!;
    return {
      inScope,
      enrolled,
      notEnrolled: inScope - enrolled,
      deadline: rules.requireMfa ? graceDeadline(rules, now).toISOString() : null,
      alreadyOverdue: overdue,
      earliestDeadline: earliest === null ? null : graceDeadline(rules, new Date(Number(earliest))).toISOString(),
    };
  }
}

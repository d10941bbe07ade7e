import type { App } from '../../identity/index.js';
import { acceptedFactorOfStoredPolicySql } from '../../policy/index.js';

/** A user in scope of their tenant's policy, without a factor it accepts, and their deadline. */
export interface GraceCandidate {
  tenantId: string;
  userId: string;
  deadline: Date;
}

/** A candidate as an enforcement re-checks it, with the apps the same policy version enforces MFA on. */
export interface GraceCandidateInForce extends GraceCandidate {
  enforceOn: App[];
}

/**
 * Users in scope with no accepted factor (a passkey only, for a role held to passkeys), under each tenant's policy in force: scope start plus the
 * grace period is the deadline. The rules are re-checked here (not only when the scope was recorded),
 * so a role or policy change that a lost event never recorded cannot make anyone overdue wrongly.
 * Periods are whole 24-hour days, as the engine counts them (a calendar day would follow the
 * session time zone across daylight-saving changes). `%COLUMNS%`, `%WHERE%` and `%FACTORS%` are filled by
 * the caller. The walk reads every column of its join from an index (migration 0018): keep it so.
 */
export const GRACE_CANDIDATES_SQL = `
  select s.user_id, s.tenant_id,
         (extract(epoch from s.started_at + make_interval(hours => 24 * p.grace_period_days)) * 1000)::bigint as deadline_ms
         %COLUMNS%
    from mfa_scope_starts s
    join users u on u.id = s.user_id
    cross join lateral (
      select v.require_mfa, v.required_roles, v.allowed_methods, v.grace_period_days, v.enforce_on,
             v.phishing_resistant_roles
        from mfa_policy_versions v where v.tenant_id = s.tenant_id order by v.version desc limit 1
    ) p
   where %WHERE%
     and p.require_mfa
     and (cardinality(p.required_roles) = 0 or u.roles && p.required_roles)
     and not exists (
       select 1 from factors f
        where f.user_id = s.user_id %FACTORS% and f.status = 'active'
          and ${acceptedFactorOfStoredPolicySql('f.type', 'u.roles')})`;

export interface GraceCandidateRow {
  user_id: string;
  tenant_id: string;
  /** bigint: text from the driver. */
  deadline_ms: string;
}

export const graceCandidateOf = (row: GraceCandidateRow): GraceCandidate => ({
  tenantId: row.tenant_id,
  userId: row.user_id,
  deadline: new Date(Number(row.deadline_ms)),
});

/** The column `%COLUMNS%` adds for one user's re-check (the walk leaves it out: it never needs it). */
export const ENFORCE_ON_COLUMN = ', p.enforce_on';

import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** A user in scope of their tenant's policy, without a factor it accepts, and their deadline. */
export interface GraceCandidate {
  tenantId: string;
  userId: string;
  deadline: Date;
}

/**
 * Users in scope with no accepted factor, under each tenant's policy in force: scope start plus the
 * grace period is the deadline. The rules are re-checked here (not only when the scope was recorded),
 * so a role or policy change that a lost event never recorded cannot make anyone overdue wrongly.
 * Periods are whole 24-hour days, as the engine counts them (a calendar day would follow the
 * session time zone across daylight-saving changes).
 */
const CANDIDATES_SQL = `
  select s.user_id, s.tenant_id,
         (extract(epoch from s.started_at + make_interval(hours => 24 * p.grace_period_days)) * 1000)::bigint as deadline_ms
    from mfa_scope_starts s
    join users u on u.id = s.user_id
    cross join lateral (
      select v.require_mfa, v.required_roles, v.allowed_methods, v.grace_period_days
        from mfa_policy_versions v where v.tenant_id = s.tenant_id order by v.version desc limit 1
    ) p
   where %WHERE%
     and p.require_mfa
     and (cardinality(p.required_roles) = 0 or u.roles && p.required_roles)
     and not exists (
       select 1 from factors f
        where f.user_id = s.user_id %FACTORS% and f.status = 'active' and f.type = any(p.allowed_methods))`;

@Injectable()
export class GraceCandidates {
  /**
   * The next `limit` candidates after `afterUserId` (keyset on the user id: batches never shift), of
   * every tenant or of `tenantId` only.
   */
  async batch(
    em: EntityManager,
    afterUserId: string | null,
    limit: number,
    tenantId: string | null = null,
  ): Promise<GraceCandidate[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (tenantId) {
      where.push('s.tenant_id = ?');
      params.push(tenantId);
    }
    // The bound is repeated on every table of the join: PostgreSQL does not carry a `>` across a join,
    // and a merge join would otherwise scan users or factors from the first id for every batch,
    // making the whole walk quadratic in the number of users (measured: bench/grace-sweep.bench.js).
    if (afterUserId) {
      where.push('s.user_id > ?', 'u.id > ?');
      params.push(afterUserId, afterUserId, afterUserId);
    }
    const sql = CANDIDATES_SQL.replace('%WHERE%', where.join(' and ') || 'true').replace(
      '%FACTORS%',
      afterUserId ? 'and f.user_id > ?' : '',
    );
    const rows = await em.execute<Row[]>(`${sql} order by s.user_id limit ?`, [...params, limit]);
    return rows.map(candidateOf);
  }

  /** The user, if they are a candidate right now. */
  async one(em: EntityManager, tenantId: string, userId: string): Promise<GraceCandidate | null> {
    const sql = CANDIDATES_SQL.replace('%WHERE%', 's.user_id = ? and s.tenant_id = ?').replace('%FACTORS%', '');
    const [row] = await em.execute<Row[]>(sql, [userId, tenantId]);
    return row ? candidateOf(row) : null;
  }
}

interface Row {
  user_id: string;
  tenant_id: string;
  deadline_ms: string;
}

const candidateOf = (row: Row): GraceCandidate => ({
  tenantId: row.tenant_id,
  userId: row.user_id,
  deadline: new Date(Number(row.deadline_ms)),
});

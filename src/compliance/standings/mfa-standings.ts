import type { EntityManager } from '@mikro-orm/postgresql';
import { acceptedMethodsParams, type EnforcementRules, inScopeParams } from '../../policy/index.js';
import type { App } from '../../identity/index.js';
import {
  ENFORCE_ON_COLUMN,
  GRACE_CANDIDATES_SQL,
  type GraceCandidate,
  type GraceCandidateInForce,
  type GraceCandidateRow,
  graceCandidateOf,
} from './grace-candidates.sql.js';
import {
  type MfaStandingFilter,
  STANDING_FILTER_SQL,
  STANDINGS_SQL,
  type StandingRow,
  type UserMfaRow,
  userMfaRowOf,
} from './mfa-standings.sql.js';
import { SCOPE_PREVIEW_SQL, type ScopePreview, type ScopePreviewRow } from './scope-preview.sql.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Users' standing under a policy, read over whole tenants: scope starts (policy's table) joined to users
 * (identity's) and their active factors (factors'). It lives in compliance, above all three, and only reads:
 * sweeps over millions of users and full admin pages need one query, not a call per user through each
 * slice's face. Every write to those tables stays with its owner.
 */
export class MfaStandings {
  constructor(private readonly em: EntityManager) {}

  /**
   * The next `limit` grace candidates after `afterUserId` (keyset on the user id: batches never shift),
   * of every tenant or of `tenantId` only. SQL: a keyset walk over millions of users, in one query a batch.
   */
  async graceCandidatesAfter(
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
    const sql = GRACE_CANDIDATES_SQL.replace('%COLUMNS%', '')
      .replace('%WHERE%', where.join(' and ') || 'true')
      .replace('%FACTORS%', afterUserId ? 'and f.user_id > ?' : '');
    const rows = await this.em.execute<GraceCandidateRow[]>(`${sql} order by s.user_id limit ?`, [...params, limit]);
    return rows.map(graceCandidateOf);
  }

  /**
   * The user, if they are a grace candidate right now (the sweep's own rules, for one user), with the apps
   * the policy in force enforces on: an enforcement reads both in one statement, from one policy version.
   */
  async graceCandidate(tenantId: string, userId: string): Promise<GraceCandidateInForce | null> {
    const sql = GRACE_CANDIDATES_SQL.replace('%COLUMNS%', ENFORCE_ON_COLUMN)
      .replace('%WHERE%', 's.user_id = ? and s.tenant_id = ?')
      .replace('%FACTORS%', '');
    const [row] = await this.em.execute<(GraceCandidateRow & { enforce_on: App[] })[]>(sql, [userId, tenantId]);
    return row ? { ...graceCandidateOf(row), enforceOn: row.enforce_on } : null;
  }

  /**
   * Up to `limit` users of the tenant after `after` (an id) whose standing under `rules` at `now` matches
   * `filter`, by id ascending. SQL: the filter is applied by the database, so a page is full while more match.
   */
  async page(
    tenantId: string,
    rules: EnforcementRules,
    now: Date,
    q: { after?: string; filter?: MfaStandingFilter; limit: number },
  ): Promise<UserMfaRow[]> {
    const sql = STANDINGS_SQL.replace('%AFTER%', q.after ? 'u.id > ?' : 'true').replace(
      '%FILTER%',
      STANDING_FILTER_SQL[q.filter ?? 'none'],
    );
    const rows = await this.em.execute<StandingRow[]>(sql, [
      ...this.standingParams(tenantId, rules, now),
      ...(q.after ? [q.after] : []),
      q.limit,
    ]);
    return rows.map(userMfaRowOf);
  }

  /** One user's standing, as `page` lists it; null when the tenant has no such user. */
  async ofUser(tenantId: string, rules: EnforcementRules, now: Date, userId: string): Promise<UserMfaRow | null> {
    const sql = STANDINGS_SQL.replace('%AFTER%', 'u.id = ?').replace('%FILTER%', STANDING_FILTER_SQL.none);
    const [row] = await this.em.execute<StandingRow[]>(sql, [...this.standingParams(tenantId, rules, now), userId, 1]);
    return row ? userMfaRowOf(row) : null;
  }

  private standingParams(tenantId: string, rules: EnforcementRules, now: Date): unknown[] {
    const accepted = acceptedMethodsParams(rules);
    return [...accepted, ...inScopeParams(rules), ...accepted, now, now, rules.gracePeriodDays, tenantId];
  }

  /** What saving `rules` at `now` would find in the tenant. SQL: one aggregate query, nothing loaded or saved. */
  async preview(tenantId: string, rules: EnforcementRules, now: Date): Promise<ScopePreview> {
    // Overdue from the deadline millisecond on (as the engine says): start + period ≤ now ⇔ start ≤ now − period.
    // Whole periods of 24 h, never calendar days, so the cutoff matches `graceDeadline` across DST changes.
    const cutoff = new Date(now.getTime() - rules.gracePeriodDays * DAY_MS);
    const [row] = await this.em.execute<ScopePreviewRow[]>(SCOPE_PREVIEW_SQL, [
      ...acceptedMethodsParams(rules),
      now,
      tenantId,
      ...inScopeParams(rules),
      cutoff,
    ]);
    const { in_scope: inScope, enrolled, overdue, earliest_start_ms: earliest } = row!;
    return {
      inScope,
      enrolled,
      alreadyOverdue: overdue,
      earliestStartNotEnrolled: earliest === null ? null : new Date(Number(earliest)),
    };
  }
}

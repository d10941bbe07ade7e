import { EntityRepository } from '@mikro-orm/postgresql';
import type { Role } from '../../common/access/roles.js';
import { pgTextArray } from '../../infra/database/pg-text-array.js';
import { type EnforcementRules, isInScope } from '../policy-engine.js';
import {
  GRACE_CANDIDATES_SQL,
  type GraceCandidate,
  type GraceCandidateRow,
  graceCandidateOf,
} from './grace-candidates.sql.js';
import { inScopeParams, inScopeSql } from './in-scope.sql.js';
import type { MfaScopeStart } from './mfa-scope-start.entity.js';
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
 * Scope starts are recorded once when a user enters scope (a policy change, a role change, a new
 * account) and kept while they stay, so editing the policy never restarts a clock; removed when they
 * leave, so coming back starts a new grace period. The reads that join them to users and factors are
 * SQL over whole tenants, so they are here too, beside the rules they mirror.
 */
export class MfaScopeStartRepository extends EntityRepository<MfaScopeStart> {
  /** Brings the tenant's records in line with `rules`; returns how many users entered and left scope. */
  async syncTenant(tenantId: string, rules: EnforcementRules, now: Date) {
    // Set-based SQL, never a loop over users: a policy change touches a whole tenant in two statements.
    const em = this.getEntityManager();
    const left = await em.execute<{ user_id: string }[]>(
      `delete from mfa_scope_starts s using users u
        where s.user_id = u.id and s.tenant_id = ? and not ${inScopeSql('u.roles')}
        returning s.user_id`,
      [tenantId, ...inScopeParams(rules)],
    );
    const entered = await em.execute<{ user_id: string }[]>(
      `insert into mfa_scope_starts (user_id, tenant_id, started_at)
       select id, tenant_id, ? from users where tenant_id = ? and ${inScopeSql('roles')}
       on conflict (user_id) do nothing
       returning user_id`,
      [now, tenantId, ...inScopeParams(rules)],
    );
    return { entered: entered.length, left: left.length };
  }

  /** One user's record after their roles changed or their account was made; returns their scope start. */
  async syncUser(
    subject: { tenantId: string; userId: string; roles: readonly Role[] },
    rules: EnforcementRules,
    now: Date,
  ): Promise<Date | null> {
    if (!isInScope(rules, subject.roles)) {
      await this.nativeDelete({ userId: subject.userId, tenantId: subject.tenantId });
      return null;
    }
    // SQL: one statement records the start or keeps the one on record, whichever sign-in or event comes
    // first, and returns it. Raw rows carry timestamps as text: the instant is read as epoch milliseconds.
    const [row] = await this.getEntityManager().execute<{ started_ms: string }[]>(
      `insert into mfa_scope_starts (user_id, tenant_id, started_at) values (?, ?, ?)
       on conflict (user_id) do update set started_at = mfa_scope_starts.started_at
       returning (extract(epoch from started_at) * 1000)::bigint as started_ms`,
      [subject.userId, subject.tenantId, now],
    );
    return new Date(Number(row!.started_ms));
  }

  /** Every in-scope user of the tenant starts a new grace period now (after all factors were forgotten). */
  restartTenant(tenantId: string, now: Date): Promise<number> {
    return this.nativeUpdate({ tenantId }, { startedAt: now });
  }

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
    const sql = GRACE_CANDIDATES_SQL.replace('%WHERE%', where.join(' and ') || 'true').replace(
      '%FACTORS%',
      afterUserId ? 'and f.user_id > ?' : '',
    );
    const rows = await this.getEntityManager().execute<GraceCandidateRow[]>(`${sql} order by s.user_id limit ?`, [
      ...params,
      limit,
    ]);
    return rows.map(graceCandidateOf);
  }

  /** The user, if they are a grace candidate right now (the sweep's own rules, for one user). */
  async graceCandidate(tenantId: string, userId: string): Promise<GraceCandidate | null> {
    const sql = GRACE_CANDIDATES_SQL.replace('%WHERE%', 's.user_id = ? and s.tenant_id = ?').replace('%FACTORS%', '');
    const [row] = await this.getEntityManager().execute<GraceCandidateRow[]>(sql, [userId, tenantId]);
    return row ? graceCandidateOf(row) : null;
  }

  /**
   * Up to `limit` users of the tenant after `after` (an id) whose standing under `rules` at `now` matches
   * `filter`, by id ascending. SQL: the filter is applied by the database, so a page is full while more match.
   */
  async standingsPage(
    tenantId: string,
    rules: EnforcementRules,
    now: Date,
    q: { after?: string; filter?: MfaStandingFilter; limit: number },
  ): Promise<UserMfaRow[]> {
    const methods = pgTextArray(rules.allowedMethods);
    const sql = STANDINGS_SQL.replace('%AFTER%', q.after ? 'u.id > ?' : 'true').replace(
      '%FILTER%',
      STANDING_FILTER_SQL[q.filter ?? 'none'],
    );
    const rows = await this.getEntityManager().execute<StandingRow[]>(sql, [
      methods,
      ...inScopeParams(rules),
      methods,
      now,
      now,
      rules.gracePeriodDays,
      tenantId,
      ...(q.after ? [q.after] : []),
      q.limit,
    ]);
    return rows.map(userMfaRowOf);
  }

  /** What saving `rules` at `now` would find in the tenant. SQL: one aggregate query, nothing loaded or saved. */
  async previewScope(tenantId: string, rules: EnforcementRules, now: Date): Promise<ScopePreview> {
    // Overdue from the deadline millisecond on (as the engine says): start + period ≤ now ⇔ start ≤ now − period.
    // Whole periods of 24 h, never calendar days, so the cutoff matches `graceDeadline` across DST changes.
    const cutoff = new Date(now.getTime() - rules.gracePeriodDays * DAY_MS);
    const [row] = await this.getEntityManager().execute<ScopePreviewRow[]>(SCOPE_PREVIEW_SQL, [
      pgTextArray(rules.allowedMethods),
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

import { EntityRepository } from '@mikro-orm/postgresql';
import type { Role } from '../../common/access/roles.js';
import { type EnforcementRules, isInScope } from '../policy-engine.js';
import { inScopeParams, inScopeSql } from './in-scope.sql.js';
import type { MfaScopeStart } from './mfa-scope-start.entity.js';

/**
 * Scope starts are recorded once when a user enters scope (a policy change, a role change, a new
 * account) and kept while they stay, so editing the policy never restarts a clock; removed when they
 * leave, so coming back starts a new grace period. The reads that join them to factors (grace
 * candidates, standings, the policy preview) belong to compliance, the slice above both tables.
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

  /**
   * `syncUser` for a caller that has already read the user's record (`recorded`): writes only when it
   * is missing for a user in scope or left behind for one out of it, which a sign-in rarely finds.
   */
  async syncUserFrom(
    recorded: Date | null,
    subject: { tenantId: string; userId: string; roles: readonly Role[] },
    rules: EnforcementRules,
    now: Date,
  ): Promise<Date | null> {
    const inScope = isInScope(rules, subject.roles);
    if (inScope && recorded) return recorded;
    if (!inScope && !recorded) return null;
    return this.syncUser(subject, rules, now);
  }

  /** Every in-scope user of the tenant starts a new grace period now (after all factors were forgotten). */
  restartTenant(tenantId: string, now: Date): Promise<number> {
    return this.nativeUpdate({ tenantId }, { startedAt: now });
  }
}

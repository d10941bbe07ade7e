import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Role } from '../common/access/roles.js';
import { pgTextArray } from '../infra/database/pg-text-array.js';
import { type EnforcementRules, isInScope } from './policy-engine.js';

/** `roles` of a `users` row are in scope of the rules bound as the next three parameters. */
const IN_SCOPE_SQL = `(?::boolean and (cardinality(?::text[]) = 0 or roles && ?::text[]))`;
const scopeParams = (rules: EnforcementRules) => {
  const roles = pgTextArray(rules.requiredRoles);
  return [rules.requireMfa, roles, roles];
};

/**
 * When each user came into the policy's scope: recorded once when they enter (a policy change, a role
 * change, a new account) and kept while they stay, so editing the policy never restarts a clock;
 * removed when they leave, so coming back starts a new grace period. Set-based SQL, never a loop
 * over users: a policy change touches a whole tenant in two statements.
 */
@Injectable()
export class MfaScopeStarts {
  /** Brings the tenant's records in line with `rules`; returns how many users entered and left scope. */
  async syncTenant(em: EntityManager, tenantId: string, rules: EnforcementRules, now: Date) {
    const left = await em.execute<{ user_id: string }[]>(
      `delete from mfa_scope_starts s using users u
        where s.user_id = u.id and s.tenant_id = ? and not ${IN_SCOPE_SQL.replaceAll('roles', 'u.roles')}
        returning s.user_id`,
      [tenantId, ...scopeParams(rules)],
    );
    const entered = await em.execute<{ user_id: string }[]>(
      `insert into mfa_scope_starts (user_id, tenant_id, started_at)
       select id, tenant_id, ? from users where tenant_id = ? and ${IN_SCOPE_SQL}
       on conflict (user_id) do nothing
       returning user_id`,
      [now, tenantId, ...scopeParams(rules)],
    );
    return { entered: entered.length, left: left.length };
  }

  /** One user's record after their roles changed or their account was made; returns their scope start. */
  async syncUser(
    em: EntityManager,
    subject: { tenantId: string; userId: string; roles: readonly Role[] },
    rules: EnforcementRules,
    now: Date,
  ): Promise<Date | null> {
    if (!isInScope(rules, subject.roles)) {
      await em.execute('delete from mfa_scope_starts where user_id = ? and tenant_id = ?', [
        subject.userId,
        subject.tenantId,
      ]);
      return null;
    }
    // Raw rows carry timestamps as PostgreSQL text: read the instant as epoch milliseconds instead.
    const [row] = await em.execute<{ started_ms: string }[]>(
      `insert into mfa_scope_starts (user_id, tenant_id, started_at) values (?, ?, ?)
       on conflict (user_id) do update set started_at = mfa_scope_starts.started_at
       returning (extract(epoch from started_at) * 1000)::bigint as started_ms`,
      [subject.userId, subject.tenantId, now],
    );
    return new Date(Number(row!.started_ms));
  }

  /** Every in-scope user of the tenant starts a new grace period now (after all factors were forgotten). */
  async restartTenant(em: EntityManager, tenantId: string, now: Date): Promise<number> {
    const rows = await em.execute<{ user_id: string }[]>(
      'update mfa_scope_starts set started_at = ? where tenant_id = ? returning user_id',
      [now, tenantId],
    );
    return rows.length;
  }
}

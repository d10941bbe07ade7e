import { EntityRepository } from '@mikro-orm/postgresql';
import type { ChallengeSubject } from './challenge-subject.js';
import type { MfaFailureStreak } from './mfa-failure-streak.entity.js';

/** Queries named by intent; every one is scoped by tenant (invariant 5). */
export class MfaFailureStreakRepository extends EntityRepository<MfaFailureStreak> {
  findFor({ tenantId, userId }: ChallengeSubject): Promise<MfaFailureStreak | null> {
    return this.findOne({ tenantId, userId });
  }

  /** Adds one failure to the user's streak (starting one if none is running); returns the new count. */
  async addFailure({ tenantId, userId }: ChallengeSubject, now: Date): Promise<number> {
    // SQL, not load-and-flush: one upsert counts every one of racing failures, and returns this one's count.
    const [row] = await this.getEntityManager().execute<{ consecutive_failures: number }[]>(
      `insert into mfa_failure_streaks (user_id, tenant_id, consecutive_failures, updated_at) values (?, ?, 1, ?)
       on conflict (user_id) do update set consecutive_failures = mfa_failure_streaks.consecutive_failures + 1,
         updated_at = excluded.updated_at
       returning consecutive_failures`,
      [userId, tenantId, now],
    );
    return row!.consecutive_failures;
  }

  /** Locks the streak; true only for the one caller that locked it, however many race. */
  async lock({ tenantId, userId }: ChallengeSubject, now: Date): Promise<boolean> {
    return (await this.nativeUpdate({ tenantId, userId, lockedAt: null }, { lockedAt: now })) === 1;
  }

  async blockUntil({ tenantId, userId }: ChallengeSubject, until: Date): Promise<void> {
    await this.nativeUpdate({ tenantId, userId }, { blockedUntil: until });
  }

  /** A success ends the streak, but not a lock: that stays until an admin resets the user's MFA. */
  async endUnlessLocked({ tenantId, userId }: ChallengeSubject): Promise<void> {
    await this.nativeDelete({ tenantId, userId, lockedAt: null });
  }

  /** Deletes the user's streak, lock included (their factors were replaced). */
  async forgetUser({ tenantId, userId }: ChallengeSubject): Promise<void> {
    await this.nativeDelete({ tenantId, userId });
  }

  /** Deletes every streak of the tenant, locks included (its factors are all gone). */
  async forgetTenant(tenantId: string): Promise<void> {
    await this.nativeDelete({ tenantId });
  }
}

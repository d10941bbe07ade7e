import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { tooManyAttempts } from '../../common/attempt-limiter.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { ChallengeSubject } from './challenge-subject.js';

/** Free tries before each further failure costs a wait. */
export const FREE_FAILURES = 5;
/** The wait after the first costly failure; it doubles with each one after, up to MAX_BLOCK_MS. */
const BASE_BLOCK_MS = 30_000;
const MAX_BLOCK_MS = 60 * 60_000;
/** At this many consecutive failures MFA is locked for the user until an admin resets it. */
export const LOCK_AFTER_FAILURES = 100;

/**
 * Consecutive failed second-factor checks of a user, across challenges and step-ups, in PostgreSQL:
 * after FREE_FAILURES, each failure blocks further tries for an exponentially growing time; after
 * LOCK_AFTER_FAILURES the user's MFA is locked. A success ends the streak.
 */
@Injectable()
export class MfaFailureStreaks {
  /** Refuses a try while the user is blocked (429 with the time left) or locked. */
  async assertMayTry(em: EntityManager, subject: ChallengeSubject, now: Date): Promise<void> {
    // Compared in SQL: raw rows carry timestamps as PostgreSQL text, not Dates.
    const [row] = await em.execute<{ locked: boolean; blocked_ms: string | null }[]>(
      `select locked_at is not null as locked,
              ceil(extract(epoch from (blocked_until - ?::timestamptz)) * 1000) as blocked_ms
         from mfa_failure_streaks where user_id = ? and tenant_id = ?`,
      [now, subject.userId, subject.tenantId],
    );
    if (row?.locked) throw mfaLocked();
    const blockedMs = Number(row?.blocked_ms ?? 0);
    if (blockedMs > 0) throw tooManyAttempts('Too many wrong codes; wait before trying again', blockedMs);
  }

  /**
   * Counts a failure (inside the caller's transaction, beside its audit entry). `lockedNow` is true
   * for exactly one failure of a streak: the one that locked it, even when failures race.
   */
  async recordFailure(
    em: EntityManager,
    subject: ChallengeSubject,
    now: Date,
  ): Promise<{ failures: number; lockedNow: boolean }> {
    const [row] = await em.execute<{ consecutive_failures: number }[]>(
      `insert into mfa_failure_streaks (user_id, tenant_id, consecutive_failures, updated_at) values (?, ?, 1, ?)
       on conflict (user_id) do update set consecutive_failures = mfa_failure_streaks.consecutive_failures + 1,
         updated_at = excluded.updated_at
       returning consecutive_failures`,
      [subject.userId, subject.tenantId, now],
    );
    const failures = row!.consecutive_failures;
    if (failures >= LOCK_AFTER_FAILURES) {
      const locked = await em.execute<{ user_id: string }[]>(
        'update mfa_failure_streaks set locked_at = ? where user_id = ? and locked_at is null returning user_id',
        [now, subject.userId],
      );
      return { failures, lockedNow: locked.length === 1 };
    }
    if (failures >= FREE_FAILURES) {
      const blockMs = Math.min(BASE_BLOCK_MS * 2 ** (failures - FREE_FAILURES), MAX_BLOCK_MS);
      await em.execute('update mfa_failure_streaks set blocked_until = ? where user_id = ?', [
        new Date(now.getTime() + blockMs),
        subject.userId,
      ]);
    }
    return { failures, lockedNow: false };
  }

  /** A successful check ends the streak (inside the success transaction). */
  async recordSuccess(em: EntityManager, subject: ChallengeSubject): Promise<void> {
    await em.execute('delete from mfa_failure_streaks where user_id = ? and locked_at is null', [subject.userId]);
  }
}

export const mfaLocked = () =>
  new DomainError('too_many_attempts', 'Too many wrong codes: multi-factor sign-in is locked; ask an administrator', {
    retryAfterSeconds: 3600,
  });

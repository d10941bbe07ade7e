import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { tooManyAttempts } from '../../common/attempt-limiter.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { ChallengeSubject } from './challenge-subject.js';
import { MfaFailureStreak } from './mfa-failure-streak.entity.js';

/** What a check needs of a user's streak: locked, or blocked until when. */
export interface FailureStreakState {
  locked: boolean;
  blockedUntil: Date | null;
}

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
  /**
   * Refuses a try while the user is blocked (429 with the time left) or locked. Returns whether a streak
   * is on record: only then has a success one to end (a failure racing the success is left counted).
   */
  async assertMayTry(em: EntityManager, subject: ChallengeSubject, now: Date): Promise<{ streak: boolean }> {
    const streak = await em.getRepository(MfaFailureStreak).findFor(subject);
    return this.assertMayTryGiven(streak && { locked: streak.isLocked, blockedUntil: streak.blockedUntil }, now);
  }

  /** The same, on a streak the caller has read (with the user's factor inventory). */
  assertMayTryGiven(streak: FailureStreakState | null, now: Date): { streak: boolean } {
    if (streak?.locked) throw mfaLocked();
    const blockedMs = streak?.blockedUntil ? streak.blockedUntil.getTime() - now.getTime() : 0;
    if (blockedMs > 0) throw tooManyAttempts('Too many wrong codes; wait before trying again', blockedMs);
    return { streak: streak !== null };
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
    const streaks = em.getRepository(MfaFailureStreak);
    const failures = await streaks.addFailure(subject, now);
    if (failures >= LOCK_AFTER_FAILURES) return { failures, lockedNow: await streaks.lock(subject, now) };
    if (failures >= FREE_FAILURES) {
      const blockMs = Math.min(BASE_BLOCK_MS * 2 ** (failures - FREE_FAILURES), MAX_BLOCK_MS);
      await streaks.blockUntil(subject, new Date(now.getTime() + blockMs));
    }
    return { failures, lockedNow: false };
  }

  /** A successful check ends the streak (inside the success transaction). */
  async recordSuccess(em: EntityManager, subject: ChallengeSubject): Promise<void> {
    await em.getRepository(MfaFailureStreak).endUnlessLocked(subject);
  }
}

export const mfaLocked = () =>
  new DomainError('too_many_attempts', 'Too many wrong codes: multi-factor sign-in is locked; ask an administrator', {
    retryAfterSeconds: 3600,
  });

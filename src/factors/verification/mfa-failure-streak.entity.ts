import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MfaFailureStreakRepository } from './mfa-failure-streak.repository.js';

/**
 * A user's consecutive failed second-factor checks, with the wait or the lock they have earned (the rules
 * are MfaFailureStreaks'). Rows are only ever written by the repository's statements, never constructed.
 */
@Entity({ tableName: 'mfa_failure_streaks', repository: () => MfaFailureStreakRepository })
export class MfaFailureStreak {
  [EntityRepositoryType]?: MfaFailureStreakRepository;

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'integer' })
  consecutiveFailures!: number;

  @Property({ type: 'datetime', nullable: true })
  blockedUntil: Date | null = null;

  /** Set by the failure that reached the lock; only deleting the row (an admin's MFA reset) lifts it. */
  @Property({ type: 'datetime', nullable: true })
  lockedAt: Date | null = null;

  @Property({ type: 'datetime' })
  updatedAt!: Date;

  get isLocked(): boolean {
    return this.lockedAt !== null;
  }
}

import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { EntityRepository } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { App } from '../identity/apps/app-kinds.js';

export type ChallengeMethod = 'totp' | 'email' | 'backup_code';

/** A challenge lives this long: enough to open an authenticator app, short enough to be useless later. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

export class MfaChallengeRepository extends EntityRepository<MfaChallenge> {
  /**
   * Uses the challenge up in one conditional UPDATE: true only for the one caller that won, and only
   * while it is unexpired, so a challenge opens at most one session however many verifications race.
   */
  async consume(challenge: MfaChallenge, now: Date): Promise<boolean> {
    const updated = await this.nativeUpdate(
      { id: challenge.id, consumedAt: null, expiresAt: { $gt: now } },
      { consumedAt: now },
    );
    return updated === 1;
  }
}

/** Issued when the password was right and a second factor is due; bound to its tenant and user. */
@Entity({ tableName: 'mfa_challenges', repository: () => MfaChallengeRepository })
export class MfaChallenge {
  [EntityRepositoryType]?: MfaChallengeRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  userId: string;

  @Property({ type: 'text[]' })
  methods: ChallengeMethod[];

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime' })
  expiresAt: Date;

  @Property({ type: 'datetime', nullable: true })
  consumedAt: Date | null = null;

  /** The app whose key the sign-in carried: the session it opens is bound to it (see Session.app). */
  @Property({ type: 'text', nullable: true })
  app: App | null = null;

  @Property({ type: 'uuid', nullable: true })
  appId: string | null = null;

  constructor(input: { tenantId: string; userId: string; methods: ChallengeMethod[]; now: Date }) {
    this.tenantId = input.tenantId;
    this.userId = input.userId;
    this.methods = input.methods;
    this.createdAt = input.now;
    this.expiresAt = new Date(input.now.getTime() + CHALLENGE_TTL_MS);
  }

  isOpenAt(now: Date): boolean {
    return this.consumedAt === null && now < this.expiresAt;
  }
}

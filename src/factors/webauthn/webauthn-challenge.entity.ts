import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { EntityRepository } from '@mikro-orm/postgresql';
import { createHash, randomUUID } from 'node:crypto';

/**
 * What a ceremony is for, and what it is bound to: `registration` a pending factor, `sign_in` a login
 * challenge, `step_up` a session, `passwordless` nothing yet (the credential names the user).
 */
export type WebauthnPurpose = 'registration' | 'sign_in' | 'step_up' | 'passwordless';

/** Long enough for a fingerprint or a PIN, or fetching a security key from a drawer; not long enough to matter if leaked. */
export const WEBAUTHN_CHALLENGE_TTL_MS = 5 * 60_000;

export const challengeHashOf = (challenge: string): string => createHash('sha256').update(challenge).digest('hex');

export class WebauthnChallengeRepository extends EntityRepository<WebauthnChallenge> {
  /** The live ceremony for this purpose and binding whose challenge the browser signed, if any. */
  findLive(purpose: WebauthnPurpose, boundTo: string | null, challenge: string, now: Date) {
    return this.findOne({
      purpose,
      boundTo,
      challengeHash: challengeHashOf(challenge),
      usedAt: null,
      expiresAt: { $gt: now },
    });
  }

  /** Uses the challenge up in one conditional UPDATE: true for the one caller that won, while it is live. */
  async consume(id: string, now: Date): Promise<boolean> {
    return (await this.nativeUpdate({ id, usedAt: null, expiresAt: { $gt: now } }, { usedAt: now })) === 1;
  }
}

/** One WebAuthn ceremony's challenge, stored only as its SHA-256 hash: a database reader cannot answer it. */
@Entity({ tableName: 'webauthn_challenges', repository: () => WebauthnChallengeRepository })
export class WebauthnChallenge {
  [EntityRepositoryType]?: WebauthnChallengeRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  /** Null for a passwordless sign-in, until the credential names its user. */
  @Property({ type: 'uuid', nullable: true })
  userId: string | null;

  @Property({ type: 'text' })
  purpose: WebauthnPurpose;

  @Property({ type: 'uuid', nullable: true })
  boundTo: string | null;

  @Property({ type: 'text', hidden: true })
  challengeHash: string;

  /** Decided when the ceremony began (from the policy), so a client cannot lower it by editing the options. */
  @Property({ type: 'boolean' })
  userVerificationRequired: boolean;

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime' })
  expiresAt: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt: Date | null = null;

  constructor(input: {
    tenantId: string;
    userId: string | null;
    purpose: WebauthnPurpose;
    boundTo: string | null;
    challenge: string;
    userVerificationRequired: boolean;
    now: Date;
  }) {
    this.tenantId = input.tenantId;
    this.userId = input.userId;
    this.purpose = input.purpose;
    this.boundTo = input.boundTo;
    this.challengeHash = challengeHashOf(input.challenge);
    this.userVerificationRequired = input.userVerificationRequired;
    this.createdAt = input.now;
    this.expiresAt = new Date(input.now.getTime() + WEBAUTHN_CHALLENGE_TTL_MS);
  }
}

import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { EntityRepository } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { App } from '../identity/index.js';
import type { MfaMethod } from '../policy/index.js';
import { sha256Hex } from '../common/crypto/tokens.js';
import { TenantScope } from '../common/tenant-scope.js';
import { CHALLENGE_TTL_MS } from '../factors/index.js';

export type ChallengeMethod = 'totp' | 'email' | 'webauthn' | 'backup_code';

export { CHALLENGE_TTL_MS };

export class MfaChallengeRepository extends EntityRepository<MfaChallenge> {
  /** The challenge behind an id, whatever its tenant: the id, handed out at login, is what names the tenant. */
  findByIdAcrossTenants(id: string): Promise<MfaChallenge | null> {
    return TenantScope.acrossTenants('a challenge id names its own tenant', () => this.findOne({ id }));
  }

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

  /**
   * Set when the factors the challenge offers no longer count for the user and their deadline has passed (a
   * role held to passkeys, with codes only): answering opens a session that may only set up one of these.
   */
  @Property({ type: 'text[]', nullable: true })
  setUpMethods: MfaMethod[] | null = null;

  /** SHA-256 of the password hash that was verified to open it; null on challenges opened before 0015. */
  @Property({ type: 'text', nullable: true, hidden: true })
  passwordFingerprint: string | null;

  constructor(input: {
    tenantId: string;
    userId: string;
    methods: ChallengeMethod[];
    now: Date;
    passwordHash: string;
  }) {
    this.tenantId = input.tenantId;
    this.userId = input.userId;
    this.methods = input.methods;
    this.createdAt = input.now;
    this.expiresAt = new Date(input.now.getTime() + CHALLENGE_TTL_MS);
    this.passwordFingerprint = fingerprint(input.passwordHash);
  }

  isOpenAt(now: Date): boolean {
    return this.consumedAt === null && now < this.expiresAt;
  }

  /** Used up: answered with 410 before anything else is done, and never audited. */
  get isSpent(): boolean {
    return this.consumedAt !== null;
  }

  /**
   * Whether the user's password is still the one this challenge was opened with: a challenge opened
   * with the old password dies with it. The hash itself changes on every password change (fresh
   * salt), so its fingerprint tells even two changes within one clock tick apart.
   */
  isBoundTo(user: { passwordHash: string | null; passwordChangedAt: Date | null }): boolean {
    if (this.passwordFingerprint === null) {
      return user.passwordChangedAt === null || user.passwordChangedAt < this.createdAt;
    }
    return user.passwordHash !== null && fingerprint(user.passwordHash) === this.passwordFingerprint;
  }
}

const fingerprint = (passwordHash: string) => sha256Hex(passwordHash);

import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { MfaResetRepository } from './mfa-reset.repository.js';

/** How long a reset link works: a day, for a user who may be away from their mail for a while. */
export const MFA_RESET_TTL_MS = 24 * 60 * 60_000;

/**
 * An admin's MFA reset of a user: a single-use link, mailed to them, that opens a session which may only
 * enrol a factor; the first factor verified there replaces the old ones and completes the reset.
 */
@Entity({ tableName: 'mfa_resets', repository: () => MfaResetRepository })
@Index({ properties: ['userId'] })
export class MfaReset {
  [EntityRepositoryType]?: MfaResetRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  userId: string;

  /**
   * Hash of the link's token: null until the link is mailed, replaced by each mailing (invariant 6).
   * The constraint keeps the name migration 0012 gave it.
   */
  @Property({ type: 'text', unique: 'mfa_resets_token_hash_key', nullable: true, hidden: true })
  tokenHash: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime' })
  expiresAt: Date;

  /** The admin who asked for it. */
  @Property({ type: 'uuid', nullable: true })
  requestedBy: string | null;

  /** When the link was opened, or stopped working because a newer reset of the user replaced it. */
  @Property({ type: 'datetime', nullable: true })
  usedAt: Date | null = null;

  /** When a factor verified in the session the link opened replaced the user's old factors. */
  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;

  constructor(input: { tenantId: string; userId: string; requestedBy: string | null; now: Date }) {
    this.tenantId = input.tenantId;
    this.userId = input.userId;
    this.requestedBy = input.requestedBy;
    this.createdAt = input.now;
    this.expiresAt = new Date(input.now.getTime() + MFA_RESET_TTL_MS);
  }
}

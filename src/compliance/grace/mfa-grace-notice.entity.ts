import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { MfaGraceNoticeRepository } from './mfa-grace-notice.repository.js';

/** The kind of the notice that records an enforced deadline. */
export const ENFORCED = 'enforced';
/** The kind of a reminder sent `daysBefore` days (or less) before the deadline. */
export const reminderKind = (daysBefore: number) => `reminder-${daysBefore}`;

/**
 * What the grace-period workers did for one user and deadline: a reminder sent, or the deadline
 * enforced. Unique per user, kind and deadline: that key is the idempotency check behind the jobs.
 */
@Entity({ tableName: 'mfa_grace_notices', repository: () => MfaGraceNoticeRepository })
@Unique({ properties: ['userId', 'kind', 'deadline'], name: 'mfa_grace_notices_user_kind_deadline_unique' })
export class MfaGraceNotice {
  [EntityRepositoryType]?: MfaGraceNoticeRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  /** `enforced` or `reminder-<days>`. */
  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'datetime' })
  deadline!: Date;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  isEnforcement(): boolean {
    return this.kind === ENFORCED;
  }
}

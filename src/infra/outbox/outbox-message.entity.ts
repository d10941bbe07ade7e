import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';

/** What an outbox row asks for; each kind maps to one job of the catalog (see outbox-relay.ts). */
export type OutboxKind =
  | 'email_code_sent'
  | 'mfa_locked_notice'
  | 'mfa_grace_notice'
  | 'mfa_reset_link'
  | 'security_notice'
  | 'grace_policy_sweep';

/**
 * Work that must happen because a transaction committed (an e-mail to send). Written in that same
 * transaction, so the work exists exactly when the change does; carries ids only, never secrets.
 */
@Entity({ tableName: 'outbox_messages' })
export class OutboxMessage {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid', nullable: true })
  tenantId: string | null;

  @Property({ type: 'text' })
  kind: OutboxKind;

  /** The row the work is about (an e-mail code's id, the user told of a lock, a security notice's audit entry). */
  @Property({ type: 'uuid' })
  refId: string;

  /** Whom the mail is for, when `refId` does not say (a security notice). */
  @Property({ type: 'uuid', nullable: true })
  userId: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date;

  /** When a job for it was enqueued; until then the sweep keeps trying. */
  @Property({ type: 'datetime', nullable: true })
  relayedAt: Date | null = null;

  /** When its job finished; a job for a delivered row does nothing (idempotent processors). */
  @Property({ type: 'datetime', nullable: true })
  deliveredAt: Date | null = null;

  constructor(input: { tenantId: string | null; kind: OutboxKind; refId: string; userId?: string; now: Date }) {
    this.tenantId = input.tenantId;
    this.kind = input.kind;
    this.refId = input.refId;
    this.userId = input.userId ?? null;
    this.createdAt = input.now;
  }
}

import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';

import type { ActorType } from '../common/actor.js';

export type { ActorType };
export type Outcome = 'success' | 'failure';

/** One link of a tenant's tamper-evident chain. Rows are append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). */
@Entity({ tableName: 'audit_events' })
@Unique({ properties: ['chainKey', 'seq'] })
export class AuditEvent {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** The tenant id, or `platform` for events with no tenant (e.g. a login naming an unknown tenant). */
  @Property({ type: 'text' })
  chainKey!: string;

  @Property({ type: 'bigint' })
  seq!: string;

  @Property({ type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text' })
  outcome!: Outcome;

  @Property({ type: 'text' })
  actorType!: ActorType;

  @Property({ type: 'text', nullable: true })
  actorId!: string | null;

  @Property({ type: 'text', nullable: true })
  targetType!: string | null;

  @Property({ type: 'text', nullable: true })
  targetId!: string | null;

  @Property({ type: 'text', nullable: true })
  ip!: string | null;

  @Property({ type: 'text', nullable: true })
  userAgent!: string | null;

  @Property({ type: 'json' })
  details!: Record<string, unknown>;

  @Property({ type: 'text' })
  prevHash!: string;

  @Property({ type: 'text' })
  hash!: string;
}

/** The head of each chain, locked FOR UPDATE while appending so `seq` has no gaps and no forks. */
@Entity({ tableName: 'audit_chains' })
export class AuditChainHead {
  @PrimaryKey({ type: 'text' })
  chainKey!: string;

  @Property({ type: 'bigint' })
  lastSeq!: string;

  @Property({ type: 'text' })
  lastHash!: string;
}

import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A signed checkpoint of one chain: what the signature covers, and the key that made it. Rows are
 * append-only (a trigger refuses UPDATE, DELETE and TRUNCATE); the signing key is never stored.
 */
@Entity({ tableName: 'audit_checkpoints' })
export class AuditCheckpoint {
  [PrimaryKeyProp]?: ['chainKey', 'number'];

  @PrimaryKey({ type: 'text' })
  chainKey!: string;

  /** 1, 2, 3, … per chain, without gaps. */
  @PrimaryKey({ type: 'bigint' })
  number!: string;

  @Property({ type: 'bigint' })
  seq!: string;

  @Property({ type: 'text' })
  headHash!: string;

  @Property({ type: 'datetime' })
  time!: Date;

  @Property({ type: 'text', nullable: true })
  previous!: string | null;

  @Property({ type: 'text' })
  keyId!: string;

  @Property({ type: 'text' })
  signature!: string;
}

import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { App } from './app-kinds.js';

/**
 * An app registered by a tenant: its key goes with every sign-in made through it, so the session is
 * bound to the app's kind and held to the policy for that kind. Only the key's hash is kept.
 */
@Entity({ tableName: 'apps' })
export class RegisteredApp {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'text' })
  kind: App;

  @Property({ type: 'text', unique: true, hidden: true })
  keyHash: string;

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  constructor(input: {
    tenantId: string;
    name: string;
    kind: App;
    keyHash: string;
    createdBy: string | null;
    now: Date;
  }) {
    this.tenantId = input.tenantId;
    this.name = input.name;
    this.kind = input.kind;
    this.keyHash = input.keyHash;
    this.createdBy = input.createdBy;
    this.createdAt = input.now;
  }
}

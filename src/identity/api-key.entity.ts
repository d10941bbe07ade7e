import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { ApiKeyScope } from '../common/access/roles.js';

/** An integration user: tenant-bound, scoped, never asked for MFA. Only the key's hash is kept. */
@Entity({ tableName: 'api_keys' })
export class ApiKey {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'text' })
  name: string;

  @Property({ type: 'text', unique: true, hidden: true })
  keyHash: string;

  @Property({ type: 'text[]' })
  scopes: ApiKeyScope[];

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
    keyHash: string;
    scopes: ApiKeyScope[];
    createdBy: string | null;
    now: Date;
  }) {
    this.tenantId = input.tenantId;
    this.name = input.name;
    this.keyHash = input.keyHash;
    this.scopes = [...new Set(input.scopes)];
    this.createdBy = input.createdBy;
    this.createdAt = input.now;
  }
}

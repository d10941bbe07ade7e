import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { Role } from '../common/access/roles.js';
import { UserRepository } from './user.repository.js';

@Entity({ tableName: 'users', repository: () => UserRepository })
@Unique({ properties: ['tenantId', 'email'] })
export class User {
  [EntityRepositoryType]?: UserRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  /** Stored lower-cased: one person, one account per tenant, however they type it. */
  @Property({ type: 'text' })
  email: string;

  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash: string | null;

  @Property({ type: 'text[]' })
  roles: Role[];

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime' })
  updatedAt: Date;

  @Property({ type: 'datetime', nullable: true })
  passwordChangedAt: Date | null = null;

  constructor(input: { tenantId: string; email: string; roles: Role[]; passwordHash: string | null; now: Date }) {
    this.tenantId = input.tenantId;
    this.email = normaliseEmail(input.email);
    this.roles = [...new Set(input.roles)];
    this.passwordHash = input.passwordHash;
    this.createdAt = input.now;
    this.updatedAt = input.now;
  }

  changePassword(hash: string, now: Date): void {
    this.passwordHash = hash;
    this.passwordChangedAt = now;
    this.updatedAt = now;
  }

  changeRoles(roles: Role[], now: Date): { before: Role[]; after: Role[] } {
    const before = [...this.roles];
    this.roles = [...new Set(roles)];
    this.updatedAt = now;
    return { before, after: [...this.roles] };
  }
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

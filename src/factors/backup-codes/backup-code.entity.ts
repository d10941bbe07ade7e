import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { BackupCodeRepository } from './backup-code.repository.js';

/** One backup code of a user, stored only as its hash (see backup-code-format.ts); single use. */
@Entity({ tableName: 'backup_codes', repository: () => BackupCodeRepository })
@Index({ properties: ['tenantId', 'userId'] })
export class BackupCode {
  [EntityRepositoryType]?: BackupCodeRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  userId: string;

  @Property({ type: 'text', hidden: true })
  codeHash: string;

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt: Date | null = null;

  constructor(input: { tenantId: string; userId: string; codeHash: string; now: Date }) {
    this.tenantId = input.tenantId;
    this.userId = input.userId;
    this.codeHash = input.codeHash;
    this.createdAt = input.now;
  }
}

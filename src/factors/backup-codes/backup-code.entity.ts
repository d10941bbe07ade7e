import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { BackupCodeRepository } from './backup-code.repository.js';
import type { BackupCodeHashScheme, StoredBackupCodeHash } from './backup-code-hasher.js';

/** One backup code of a user, stored only as its hash (see backup-code-hasher.ts); single use. */
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

  @Property({ type: 'text' })
  hashScheme: BackupCodeHashScheme;

  /** The encryption key the HMAC key was derived from; null for the legacy `sha256` scheme. */
  @Property({ type: 'text', nullable: true })
  hashKeyId: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt: Date | null = null;

  constructor(input: { tenantId: string; userId: string; hash: StoredBackupCodeHash; now: Date }) {
    this.tenantId = input.tenantId;
    this.userId = input.userId;
    this.codeHash = input.hash.codeHash;
    this.hashScheme = input.hash.hashScheme;
    this.hashKeyId = input.hash.hashKeyId;
    this.createdAt = input.now;
  }
}

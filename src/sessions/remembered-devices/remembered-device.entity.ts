import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { RememberedDeviceRepository } from './remembered-device.repository.js';

/** A browser or client that may skip the second factor until it expires or the user's credentials change. */
@Entity({ tableName: 'remembered_devices', repository: () => RememberedDeviceRepository })
export class RememberedDevice {
  [EntityRepositoryType]?: RememberedDeviceRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  userId: string;

  @Property({ type: 'text', unique: true, hidden: true })
  tokenHash: string;

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime' })
  expiresAt: Date;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  constructor(input: { tenantId: string; userId: string; tokenHash: string; now: Date; validForMs: number }) {
    this.tenantId = input.tenantId;
    this.userId = input.userId;
    this.tokenHash = input.tokenHash;
    this.createdAt = input.now;
    this.expiresAt = new Date(input.now.getTime() + input.validForMs);
  }
}

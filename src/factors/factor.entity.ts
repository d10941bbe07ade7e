import { BigIntType, EntityRepositoryType } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { MfaMethod } from '../policy/index.js';
import { FactorRepository } from './factor.repository.js';

export type FactorType = MfaMethod;
export type FactorStatus = 'pending' | 'active';

/** A factor must be verified this soon after enrolment starts; an abandoned QR code stops being usable. */
export const PENDING_FACTOR_TTL_MS = 15 * 60_000;

/**
 * A second factor of one user. A TOTP factor's secret is stored only sealed (AES-256-GCM, key id beside it);
 * a passkey keeps its public credential here.
 */
@Entity({ tableName: 'factors', repository: () => FactorRepository })
@Index({ properties: ['tenantId', 'userId'] })
export class Factor {
  [EntityRepositoryType]?: FactorRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  userId: string;

  @Property({ type: 'text' })
  type: FactorType;

  @Property({ type: 'text' })
  label: string;

  @Property({ type: 'text' })
  status: FactorStatus = 'pending';

  /** The encryption key that sealed the secret; `keys rotate` moves every row to the newest key. */
  @Property({ type: 'text', nullable: true })
  secretKeyId: string | null = null;

  @Property({ type: 'text', nullable: true, hidden: true })
  secretCiphertext: string | null = null;

  /** The last TOTP time step accepted: a step is accepted once, and never one older than this. */
  @Property({ type: new BigIntType('number'), nullable: true })
  lastUsedStep: number | null = null;

  /** A passkey's credential id (base64url), unique across the deployment; null until registered. */
  @Property({ type: 'text', nullable: true })
  credentialId: string | null = null;

  /** A passkey's COSE public key, base64url: not a secret, so not sealed. */
  @Property({ type: 'text', nullable: true })
  publicKey: string | null = null;

  /** The authenticator's signature counter as last seen: one that goes backwards is a cloned key. */
  @Property({ type: new BigIntType('number'), nullable: true })
  signCount: number | null = null;

  @Property({ type: 'text[]', nullable: true })
  transports: string[] | null = null;

  /** The authenticator model's AAGUID (all zeros when it keeps it private). */
  @Property({ type: 'text', nullable: true })
  aaguid: string | null = null;

  /** Whether the passkey is synced (backed up) to other devices by its provider. */
  @Property({ type: 'boolean', nullable: true })
  backedUp: boolean | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime', nullable: true })
  verifiedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  constructor(input: { tenantId: string; userId: string; type: FactorType; label: string; now: Date }) {
    this.tenantId = input.tenantId;
    this.userId = input.userId;
    this.type = input.type;
    this.label = input.label;
    this.createdAt = input.now;
  }

  /** Still waiting for its first code, and not abandoned. */
  isVerifiableAt(now: Date): boolean {
    return this.status === 'pending' && now.getTime() - this.createdAt.getTime() < PENDING_FACTOR_TTL_MS;
  }

  /** Counts against the per-user limit: active, or pending and still verifiable. */
  isLiveAt(now: Date): boolean {
    return this.status === 'active' || this.isVerifiableAt(now);
  }
}

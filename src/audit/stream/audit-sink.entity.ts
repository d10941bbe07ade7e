import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { SealedSecret } from '../../common/crypto/secret-box.js';
import type { AuditFormat } from '../formats/index.js';
import type { SinkKind, SinkSettings } from './sink-settings.js';

export type SinkState = 'active' | 'paused' | 'disabled';

/** A sealed secret of a sink: a webhook signing secret (several during a rotation), a HEC token, a TLS client key. */
export interface StoredSinkSecret extends SealedSecret {
  /** A rotated-out webhook secret still signs until then (ISO 8601); null for the current one. */
  retiresAt: string | null;
}

/**
 * Where a tenant's audit chain (or, for a platform sink with no tenant, every chain) is streamed. The
 * delivery position lives in `audit_sink_cursors`, one row per chain the sink receives.
 */
@Entity({ tableName: 'audit_sinks' })
export class AuditSink {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** Null for a platform sink, which receives every tenant's chain and the platform chain. */
  @Property({ type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  kind!: SinkKind;

  @Property({ type: 'text' })
  format!: AuditFormat;

  /** What the receiver is and how to reach it; never a secret (those are in `secrets`). */
  @Property({ type: 'json' })
  settings!: SinkSettings;

  @Property({ type: 'json' })
  secrets!: StoredSinkSecret[];

  @Property({ type: 'integer' })
  batchSize!: number;

  @Property({ type: 'text' })
  state!: SinkState;

  @Property({ type: 'text', nullable: true })
  stateReason!: string | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}

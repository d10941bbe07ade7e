import { Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box.js';
import type { AuditSink, StoredSinkSecret } from './audit-sink.entity.js';

/** A sink's secret in clear, for its transport only: never logged, never in an answer after creation. */
export interface OpenSinkSecret {
  value: string;
  retiresAt: Date | null;
}

/** Seals a sink's secrets bound to the sink (a ciphertext copied to another sink does not open). */
@Injectable()
export class SinkSecrets {
  constructor(private readonly box: SecretBox) {}

  seal(sink: AuditSink, value: string, retiresAt: Date | null = null): StoredSinkSecret {
    const sealed = this.box.seal(Buffer.from(value, 'utf8'), contextOf(sink));
    return { ...sealed, retiresAt: retiresAt?.toISOString() ?? null };
  }

  /** The secrets still in force at `now`, newest first (a webhook signs with each during a rotation's overlap). */
  open(sink: AuditSink, now: Date): OpenSinkSecret[] {
    return sink.secrets
      .filter((s) => s.retiresAt === null || new Date(s.retiresAt) > now)
      .map((s) => ({
        value: this.box.open({ keyId: s.keyId, ciphertext: s.ciphertext }, contextOf(sink)).toString('utf8'),
        retiresAt: s.retiresAt === null ? null : new Date(s.retiresAt),
      }))
      .sort((a, b) =>
        a.retiresAt === null ? -1 : b.retiresAt === null ? 1 : b.retiresAt.getTime() - a.retiresAt.getTime(),
      );
  }
}

const contextOf = (sink: AuditSink) => `audit_sink:${sink.id}`;

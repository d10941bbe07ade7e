import { Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box.js';
import type { AuditSink, StoredSinkSecret } from './audit-sink.entity.js';

/** A sink's secret in clear, for its transport only: never logged, never in an answer after creation. */
export interface OpenSinkSecret {
  value: string;
  retiresAt: Date | null;
}

/** What re-sealing a sink's secrets under the newest key changed. */
export interface ResealedSecrets {
  /** Secrets in force that were under an older key, now under the newest. */
  resealed: number;
  /** The keys they were under. */
  fromKeyIds: string[];
  /** Secrets past their retirement, dropped rather than re-sealed: nothing opens them again. */
  dropped: number;
}

/** Seals a sink's secrets bound to the sink (a ciphertext copied to another sink does not open). */
@Injectable()
export class SinkSecrets {
  constructor(private readonly box: SecretBox) {}

  seal(sink: AuditSink, value: string, retiresAt: Date | null = null): StoredSinkSecret {
    const sealed = this.box.seal(Buffer.from(value, 'utf8'), contextOf(sink));
    return { ...sealed, retiresAt: retiresAt?.toISOString() ?? null };
  }

  /**
   * Seals the sink's secrets in force again under the newest key, each keeping its `retiresAt`; those
   * already under it are left alone. A secret past its retirement is dropped, so a key removed after this
   * is never needed to open a secret nobody uses.
   */
  resealUnderNewestKey(sink: AuditSink, now: Date): ResealedSecrets {
    const stored = sink.secrets.length;
    const inForce = sink.secrets.filter((s) => s.retiresAt === null || new Date(s.retiresAt) > now);
    const stale = inForce.filter((s) => s.keyId !== this.box.currentKeyId);
    sink.secrets = inForce.map((s) => {
      if (s.keyId === this.box.currentKeyId) return s;
      const clear = this.box.open({ keyId: s.keyId, ciphertext: s.ciphertext }, contextOf(sink));
      try {
        return { ...this.box.seal(clear, contextOf(sink)), retiresAt: s.retiresAt };
      } finally {
        clear.fill(0);
      }
    });
    return {
      resealed: stale.length,
      fromKeyIds: [...new Set(stale.map((s) => s.keyId))].sort(),
      dropped: stored - inForce.length,
    };
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

import { Injectable } from '@nestjs/common';
import { createPublicKey, type KeyObject, sign } from 'node:crypto';
import { AppConfig, type AuditSigningKey } from '../../common/app-config.js';
import type { AuditCheckpointView } from '../stream/stream-item.js';
import { signedBytes } from './checkpoint-signature.js';

/** A public key as `/.well-known/stepguard-audit-keys` serves it. */
export interface PublishedKey {
  keyId: string;
  algorithm: 'Ed25519';
  /** RFC 8037 JWK: `{ kty: "OKP", crv: "Ed25519", x }`, which `crypto.createPublicKey({ key, format: "jwk" })` reads. */
  publicKey: { kty: 'OKP'; crv: 'Ed25519'; x: string };
}

/**
 * Signs checkpoints with the newest STEPGUARD_AUDIT_SIGNING_KEY and verifies them with any configured key,
 * so checkpoints signed before a rotation still verify while their key stays listed.
 */
@Injectable()
export class CheckpointSigner {
  private readonly current: AuditSigningKey;
  readonly verifyingKeys: ReadonlyMap<string, KeyObject>;

  constructor(config: AppConfig) {
    const current = config.auditSigningKeys.at(-1);
    if (!current) throw new Error('no audit signing key is configured (STEPGUARD_AUDIT_SIGNING_KEY)');
    this.current = current;
    this.verifyingKeys = new Map(config.auditSigningKeys.map((k) => [k.id, createPublicKey(k.privateKey)]));
  }

  sign(c: Omit<AuditCheckpointView, 'keyId' | 'signature'>): AuditCheckpointView {
    const signature = sign(null, signedBytes(c), this.current.privateKey).toString('base64url');
    return { ...c, keyId: this.current.id, signature };
  }

  published(): PublishedKey[] {
    return [...this.verifyingKeys].map(([keyId, key]) => {
      const { x } = key.export({ format: 'jwk' });
      return { keyId, algorithm: 'Ed25519', publicKey: { kty: 'OKP', crv: 'Ed25519', x: x! } };
    });
  }
}

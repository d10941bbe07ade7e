import { type KeyObject, verify } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import type { AuditCheckpointView } from '../stream/stream-item.js';

/** What a checkpoint's Ed25519 signature covers; docs/audit-verification.md is the contract a SIEM reimplements. */
export interface CheckpointPayload {
  tenant: string | null;
  seq: number;
  headHash: string;
  time: string;
  previous: string | null;
}

type Signed = Pick<AuditCheckpointView, 'tenantId' | 'seq' | 'headHash' | 'time' | 'previous'>;

export function checkpointPayload(c: Signed): CheckpointPayload {
  return { tenant: c.tenantId, seq: c.seq, headHash: c.headHash, time: c.time, previous: c.previous };
}

/** The signed bytes: the UTF-8 of the payload's RFC 8785 canonical JSON. */
export function signedBytes(c: Signed): Buffer {
  return Buffer.from(canonicalJson(checkpointPayload(c)), 'utf8');
}

export type SignatureCheck = 'valid' | 'invalid' | 'unknown_key';

/** Checks a checkpoint's signature with the public key its `keyId` names among `keys`. */
export function checkSignature(c: AuditCheckpointView, keys: ReadonlyMap<string, KeyObject>): SignatureCheck {
  const key = keys.get(c.keyId);
  if (!key) return 'unknown_key';
  try {
    return verify(null, signedBytes(c), key, Buffer.from(c.signature, 'base64url')) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

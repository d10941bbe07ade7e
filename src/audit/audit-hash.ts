import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../common/crypto/tokens.js';
import type { AuditEvent } from './audit-event.entity.js';
import { canonicalJson } from './canonical-json.js';

/** The hash a chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * What the hash covers: every column of the entry but the hashes, every member present (null when
 * empty). docs/audit-hash.md is the contract a SIEM reimplements: change neither without the other.
 */
export function hashedFields(e: AuditEvent): Record<string, unknown> {
  return {
    id: e.id,
    chainKey: e.chainKey,
    seq: String(e.seq),
    tenantId: e.tenantId,
    occurredAt: e.occurredAt.toISOString(),
    action: e.action,
    outcome: e.outcome,
    actor: { type: e.actorType, id: e.actorId },
    target: { type: e.targetType, id: e.targetId },
    ip: e.ip,
    userAgent: e.userAgent,
    details: e.details,
  };
}

/**
 * hash = hex SHA-256 of the UTF-8 text prevHash ‖ RFC 8785 canonical JSON of the entry (ARCHITECTURE
 * invariant 2). Every entry ever written is hashed this way: the sorted-keys form used before RFC 8785
 * was named gives the same text for every value a stored entry can hold (test/unit/canonical-json.spec.ts).
 */
export function auditHash(prevHash: string, e: AuditEvent): string {
  return sha256Hex(prevHash + canonicalJson(hashedFields(e)));
}

/**
 * The hashed text of an entry whose `seq` only the chain's head knows, split around that `seq`: the
 * database completes `prevHash ‖ pre ‖ seq ‖ post` and digests it (the `audit_append` function), which
 * is exactly `auditHash` (a seq is digits, so JCS writes it as they are).
 */
export function hashedTextAroundSeq(e: Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>): { pre: string; post: string } {
  const marker = `seq-${randomUUID()}`;
  const [pre, post, ...rest] = canonicalJson(hashedFields({ ...e, seq: marker } as AuditEvent)).split(marker);
  if (post === undefined || rest.length > 0) throw new Error('the seq marker must occur exactly once');
  return { pre: pre!, post };
}

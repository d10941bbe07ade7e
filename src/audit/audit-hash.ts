import { sha256Hex } from '../common/crypto/tokens.js';
import type { AuditEvent } from './audit-event.entity.js';
import { canonicalJson } from './canonical-json.js';

/** The hash a chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: every column of the entry but the hash itself. */
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

/** hash = SHA-256(prevHash ‖ canonical JSON of the entry) (ARCHITECTURE invariant 2). */
export function auditHash(prevHash: string, e: AuditEvent): string {
  return sha256Hex(prevHash + canonicalJson(hashedFields(e)));
}

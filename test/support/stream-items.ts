import { createHash, randomUUID } from 'node:crypto';
import type { AuditCheckpointView, StreamItem } from '../../src/audit/stream/stream-item.js';
import type { AuditEventView } from '../../src/audit/queries/list-audit-events.query.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An audit event as the stream carries it; its hashes are linked to `seq` so consecutive ones chain. */
export function anEventItem(seq: number, overrides: Partial<AuditEventView> = {}): StreamItem {
  const event: AuditEventView = {
    seq,
    id: randomUUID(),
    tenantId: '6f1c2b8e-3d4a-4b5c-9e7f-0a1b2c3d4e5f',
    occurredAt: new Date(Date.UTC(2030, 0, 1, 12, 0, seq)).toISOString(),
    action: 'SessionRevoked',
    outcome: 'success',
    actor: { type: 'user', id: randomUUID() },
    target: { type: 'session', id: randomUUID() },
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    details: { reason: 'admin' },
    prevHash: seq === 1 ? '0'.repeat(64) : sha256(`event ${seq - 1}`),
    hash: sha256(`event ${seq}`),
    ...overrides,
  };
  return { kind: 'event', event };
}

/** A signed checkpoint covering `seq`, as the stream carries it after that event. */
export function aCheckpointItem(seq: number, overrides: Partial<AuditCheckpointView> = {}): StreamItem {
  const checkpoint: AuditCheckpointView = {
    number: 1,
    tenantId: '6f1c2b8e-3d4a-4b5c-9e7f-0a1b2c3d4e5f',
    seq,
    headHash: sha256(`event ${seq}`),
    time: new Date(Date.UTC(2030, 0, 1, 12, 5)).toISOString(),
    previous: null,
    keyId: 'k1',
    signature: 'c2lnbmF0dXJl',
    ...overrides,
  };
  return { kind: 'checkpoint', checkpoint };
}

/** A renderer standing in for the sink's format: what identifies the item and where it sits in the chain. */
export function renderPlainly(item: StreamItem): Record<string, unknown> {
  return item.kind === 'event'
    ? { type: 'audit.event', id: item.event.id, seq: item.event.seq, hash: item.event.hash }
    : { type: 'audit.checkpoint', number: item.checkpoint.number, seq: item.checkpoint.seq };
}

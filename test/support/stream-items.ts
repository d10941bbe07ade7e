import { createHash, randomUUID } from 'node:crypto';
import type { AuditCheckpointView, StreamItem } from '../../src/audit/stream/stream-item.js';

const GENESIS = '0'.repeat(64);
const hashOf = (seq: number) => createHash('sha256').update(`event-${seq}`).digest('hex');

/** An audit event as the stream carries it, with seq `seq` of a chain and a hash linking it to seq − 1. */
export function aStreamEvent(
  seq: number,
  tenantId: string | null = '4f1c2a3b-0000-4000-8000-000000000001',
): StreamItem {
  return {
    kind: 'event',
    event: {
      seq,
      id: randomUUID(),
      tenantId,
      occurredAt: new Date(Date.UTC(2030, 0, 1, 12, 0, 0, seq)).toISOString(),
      action: 'session.revoked',
      outcome: 'success',
      actor: { type: 'user', id: 'u-1' },
      target: { type: 'session', id: `s-${seq}` },
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
      details: { reason: 'signed out' },
      prevHash: seq === 1 ? GENESIS : hashOf(seq - 1),
      hash: hashOf(seq),
    },
  };
}

export function aStreamCheckpoint(
  number: number,
  seq: number,
  overrides: Partial<AuditCheckpointView> = {},
): StreamItem {
  return {
    kind: 'checkpoint',
    checkpoint: {
      number,
      tenantId: '4f1c2a3b-0000-4000-8000-000000000001',
      seq,
      headHash: hashOf(seq),
      time: '2030-01-01T12:05:00.250Z',
      previous: null,
      keyId: 'k1',
      signature: 'c2lnbmF0dXJl',
      ...overrides,
    },
  };
}

/** A renderer standing in for the sink's format: what identifies the item and where it sits in the chain. */
export function renderPlainly(item: StreamItem): Record<string, unknown> {
  return item.kind === 'event'
    ? { type: 'audit.event', id: item.event.id, seq: item.event.seq, hash: item.event.hash }
    : { type: 'audit.checkpoint', number: item.checkpoint.number, seq: item.checkpoint.seq };
}

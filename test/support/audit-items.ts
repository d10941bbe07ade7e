import { AuditEvent } from '../../src/audit/audit-event.entity.js';
import { auditHash } from '../../src/audit/audit-hash.js';
import { PLATFORM_CHAIN } from '../../src/audit/audit-log.js';
import type { AuditEventView } from '../../src/audit/queries/list-audit-events.query.js';
import type { AuditCheckpointView, StreamItem } from '../../src/audit/stream/stream-item.js';

export const TENANT = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const USER = '0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
export const SESSION = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

/** The audit hash of an event as served (docs/audit-hash.md): what a receiver recomputes. */
export function hashOfView(view: Omit<AuditEventView, 'hash'>): string {
  const event = Object.assign(new AuditEvent(), {
    id: view.id,
    chainKey: view.tenantId ?? PLATFORM_CHAIN,
    seq: String(view.seq),
    tenantId: view.tenantId,
    occurredAt: new Date(view.occurredAt),
    action: view.action,
    outcome: view.outcome,
    actorType: view.actor.type,
    actorId: view.actor.id,
    targetType: view.target?.type ?? null,
    targetId: view.target?.id ?? null,
    ip: view.ip,
    userAgent: view.userAgent,
    details: view.details,
  });
  return auditHash(view.prevHash, event);
}

/** A chained audit event as the stream carries it (a user signing in by default), its hash computed. */
export function anAuditEvent(overrides: Partial<Omit<AuditEventView, 'hash'>> = {}): AuditEventView {
  const unhashed = {
    seq: 42,
    id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
    tenantId: TENANT,
    occurredAt: '2030-01-02T03:04:05.678Z',
    action: 'SessionCreated',
    outcome: 'success' as const,
    actor: { type: 'user' as const, id: USER },
    target: { type: 'session', id: SESSION },
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    details: { amr: ['pwd', 'otp'], deviceType: 'desktop' },
    prevHash: 'a'.repeat(64),
    ...overrides,
  };
  return { ...unhashed, hash: hashOfView(unhashed) };
}

export function aCheckpoint(overrides: Partial<AuditCheckpointView> = {}): AuditCheckpointView {
  return {
    number: 7,
    tenantId: TENANT,
    seq: 42,
    headHash: 'b'.repeat(64),
    time: '2030-01-02T03:05:00.000Z',
    previous: 'c2lnbmF0dXJlLW9mLWNoZWNrcG9pbnQtNg',
    keyId: 'audit-2030-01',
    signature: 'c2lnbmF0dXJlLW9mLWNoZWNrcG9pbnQtNw',
    ...overrides,
  };
}

export const eventItem = (event: AuditEventView): StreamItem => ({ kind: 'event', event });
export const checkpointItem = (checkpoint: AuditCheckpointView): StreamItem => ({ kind: 'checkpoint', checkpoint });

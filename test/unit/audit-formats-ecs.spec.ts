import { describe, expect, it } from '@jest/globals';
import { renderEcs } from '../../src/audit/formats/ecs.js';
import {
  aCheckpoint,
  anAuditEvent,
  checkpointItem,
  eventItem,
  hashOfView,
  TENANT,
  USER,
} from '../support/audit-items.js';

type Json = Record<string, any>;

const ecs = (overrides: Parameters<typeof anAuditEvent>[0] = {}) =>
  renderEcs(eventItem(anAuditEvent(overrides))) as Json;
const ADMIN = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

describe('the ECS rendering', () => {
  it('categorises a sign-in and places who, from where and with what in the ECS fields', () => {
    const event = anAuditEvent();
    expect(renderEcs(eventItem(event))).toEqual({
      '@timestamp': event.occurredAt,
      message: 'Session opened',
      ecs: { version: '9.4.0' },
      event: {
        kind: 'event',
        category: ['authentication', 'session'],
        type: ['start'],
        action: 'SessionCreated',
        outcome: 'success',
        id: event.id,
        sequence: 42,
        severity: 1,
        dataset: 'stepguard.audit',
        provider: 'stepguard',
      },
      organization: { id: TENANT },
      user: { id: USER },
      source: { ip: event.ip },
      user_agent: { original: event.userAgent },
      related: { user: [USER] },
      observer: { vendor: 'Stepguard', product: 'Stepguard', version: expect.any(String) },
      stepguard: {
        type: 'audit_event',
        tenant_id: TENANT,
        seq: 42,
        prev_hash: event.prevHash,
        hash: event.hash,
        actor: event.actor,
        target: event.target,
        details: event.details,
      },
    });
  });

  it('names the actor as user.id and the user acted on as user.target.id', () => {
    const record = ecs({
      action: 'MfaResetRequested',
      actor: { type: 'user', id: ADMIN },
      target: { type: 'user', id: USER },
      details: { resetId: 'r1' },
    });
    expect(record['user']).toEqual({ id: ADMIN, target: { id: USER } });
    expect(record['related']).toEqual({ user: [ADMIN, USER] });
    expect(record['event']).toMatchObject({ category: ['iam'], type: ['user', 'change'], severity: 5 });
  });

  it('gives a refused sign-in its outcome, reason, raised severity and the address typed', () => {
    const record = ecs({
      action: 'LoginFailed',
      outcome: 'failure',
      actor: { type: 'anonymous', id: null },
      target: null,
      details: { reason: 'wrong_password', email: 'who@example.com' },
    });
    expect(record['event']).toMatchObject({ outcome: 'failure', reason: 'wrong_password', severity: 3 });
    expect(record['user']).toEqual({ email: 'who@example.com' });
  });

  it('leaves out what is not known: no organization on the platform chain, no source without an address', () => {
    const record = ecs({
      tenantId: null,
      ip: null,
      userAgent: null,
      actor: { type: 'system', id: null },
      target: null,
      details: {},
    });
    for (const field of ['organization', 'source', 'user_agent', 'user', 'related'])
      expect(record).not.toHaveProperty(field);
    expect(record['stepguard'].tenant_id).toBeNull();
  });

  it('holds everything the hash covers: a receiver recomputes the hash from the ECS document alone', () => {
    for (const event of [
      anAuditEvent(),
      anAuditEvent({ tenantId: null, ip: null, userAgent: null, target: null, details: {} }),
    ]) {
      const doc = renderEcs(eventItem(event)) as Json;
      const rebuilt = {
        id: doc['event'].id,
        tenantId: doc['stepguard'].tenant_id,
        seq: doc['event'].sequence,
        occurredAt: doc['@timestamp'],
        action: doc['event'].action,
        outcome: doc['event'].outcome,
        actor: doc['stepguard'].actor,
        target: doc['stepguard'].target,
        ip: doc['source']?.ip ?? null,
        userAgent: doc['user_agent']?.original ?? null,
        details: doc['stepguard'].details,
        prevHash: doc['stepguard'].prev_hash,
      };
      expect(hashOfView(rebuilt)).toBe(doc['stepguard'].hash);
    }
  });

  it('renders a checkpoint as a state of the log, with what was signed', () => {
    const checkpoint = aCheckpoint({ tenantId: null, previous: null });
    expect(renderEcs(checkpointItem(checkpoint))).toMatchObject({
      '@timestamp': checkpoint.time,
      event: { kind: 'state', action: 'AuditCheckpoint', id: 'checkpoint-platform-7', sequence: 42 },
      stepguard: {
        type: 'audit_checkpoint',
        tenant_id: null,
        number: 7,
        head_hash: checkpoint.headHash,
        previous: null,
      },
    });
  });
});

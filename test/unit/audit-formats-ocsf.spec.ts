import { describe, expect, it } from '@jest/globals';
import { ACTION_MAPPINGS } from '../../src/audit/formats/action-mappings.js';
import { renderOcsf } from '../../src/audit/formats/ocsf.js';
import type { AuditEventView } from '../../src/audit/queries/list-audit-events.query.js';
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

const ocsf = (overrides: Parameters<typeof anAuditEvent>[0] = {}) =>
  renderOcsf(eventItem(anAuditEvent(overrides))) as Json;

/**
 * What OCSF 1.8.0 requires, transcribed from the schema (github.com/ocsf/ocsf-schema, tag 1.8.0,
 * Apache-2.0): each class's required attributes (its own and those it inherits from base_event), its
 * "at least one of" constraint, and the constraints of the objects Stepguard fills.
 */
const BASE_REQUIRED = ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid'];
const CLASS_REQUIREMENTS: Record<number, { required: string[]; atLeastOne?: string[] }> = {
  0: { required: BASE_REQUIRED },
  3001: { required: [...BASE_REQUIRED, 'user'] },
  3002: { required: [...BASE_REQUIRED, 'user'], atLeastOne: ['service', 'dst_endpoint'] },
  3004: { required: [...BASE_REQUIRED, 'entity'] },
  6004: { required: [...BASE_REQUIRED, 'http_request', 'web_resources'] },
};
const OBJECT_AT_LEAST_ONE: Record<string, string[]> = {
  actor: ['process', 'user', 'invoked_by', 'session', 'app_name', 'app_uid'],
  user: ['account', 'name', 'uid'],
  entity: ['name', 'uid', 'device', 'group', 'org', 'policy', 'user'],
  src_endpoint: [
    'ip',
    'uid',
    'name',
    'hostname',
    'svc_name',
    'instance_uid',
    'interface_uid',
    'interface_name',
    'domain',
  ],
  service: ['name', 'uid'],
};

/** The shapes an event takes: a user on their own session, an anonymous refusal, an API key on a user, the system. */
const SHAPES: Partial<AuditEventView>[] = [
  {},
  {
    outcome: 'failure',
    actor: { type: 'anonymous', id: null },
    target: null,
    ip: null,
    userAgent: null,
    details: { reason: 'unknown_user', emailInvalid: true },
  },
  { actor: { type: 'api_key', id: 'key-1' }, target: { type: 'user', id: USER }, details: { method: 'totp' } },
  { actor: { type: 'system', id: null }, target: null, tenantId: null, details: {} },
];

describe('the OCSF rendering', () => {
  it('fills every attribute OCSF 1.8.0 requires of its class, for every action in every shape', () => {
    for (const action of Object.keys(ACTION_MAPPINGS)) {
      for (const shape of SHAPES) {
        const record = ocsf({ ...shape, action });
        const { required, atLeastOne } = CLASS_REQUIREMENTS[record['class_uid']]!;
        expect([action, required.filter((name) => record[name] === undefined)]).toEqual([action, []]);
        if (atLeastOne) expect([action, atLeastOne.some((name) => record[name] !== undefined)]).toEqual([action, true]);
        for (const [object, names] of Object.entries(OBJECT_AT_LEAST_ONE)) {
          if (record[object] === undefined) continue;
          expect([action, object, names.some((name) => record[object][name] !== undefined)]).toEqual([
            action,
            object,
            true,
          ]);
        }
        for (const factor of record['auth_factors'] ?? []) expect(typeof factor.factor_type_id).toBe('number');
        expect(record['type_uid']).toBe(record['class_uid'] * 100 + record['activity_id']);
      }
    }
  });

  it('carries the event id, seq and tenant in metadata, the chain under unmapped.stepguard', () => {
    const event = anAuditEvent();
    const record = renderOcsf(eventItem(event)) as Json;
    expect(record['metadata']).toEqual({
      version: '1.8.0',
      product: { name: 'Stepguard', vendor_name: 'Stepguard', version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
      profiles: ['datetime'],
      log_name: 'audit',
      uid: event.id,
      sequence: event.seq,
      tenant_uid: TENANT,
      event_code: 'SessionCreated',
    });
    expect(record['unmapped'].stepguard).toMatchObject({
      tenant_id: TENANT,
      seq: 42,
      prev_hash: event.prevHash,
      hash: event.hash,
    });
    expect(record['time']).toBe(Date.parse(event.occurredAt));
  });

  it('holds everything the hash covers: a receiver recomputes the hash from the OCSF record alone', () => {
    for (const event of [
      anAuditEvent(),
      anAuditEvent({
        action: 'AccessDenied',
        outcome: 'failure',
        details: { reason: 'forbidden', resource: 'GET /v1/x' },
      }),
      anAuditEvent({
        action: 'SomethingNew',
        tenantId: null,
        ip: '2001:db8::1',
        details: { n: 1.5, list: [true, null] },
      }),
      anAuditEvent({ ip: null, userAgent: null, target: null, details: {} }),
    ]) {
      const record = renderOcsf(eventItem(event)) as Json;
      const chain = record['unmapped'].stepguard;
      const rebuilt = {
        id: record['metadata'].uid,
        tenantId: chain.tenant_id,
        seq: chain.seq,
        occurredAt: record['time_dt'],
        action: record['metadata'].event_code,
        outcome: record['status_id'] === 1 ? ('success' as const) : ('failure' as const),
        actor: chain.actor,
        target: chain.target,
        ip: record['src_endpoint']?.ip ?? chain.ip ?? null,
        userAgent: record['http_request']?.user_agent ?? chain.user_agent ?? null,
        details: chain.details,
        prevHash: chain.prev_hash,
      };
      expect(hashOfView(rebuilt)).toBe(chain.hash);
    }
  });

  it('opens a session as a Logon whose factors and is_mfa come from its amr', () => {
    expect(ocsf({ details: { amr: ['pwd', 'otp'] } })).toMatchObject({
      class_uid: 3002,
      activity_id: 1,
      is_mfa: true,
      auth_factors: [{ factor_type_id: 11 }, { factor_type_id: 7, factor_type: 'OTP', is_totp: true }],
      session: { uid: expect.any(String) },
      user: { uid: USER },
    });
    expect(ocsf({ details: { amr: ['pwd'] } })['is_mfa']).toBe(false);
  });

  it('names the factor a second-factor check or a step-up used: TOTP, e-mail code, backup code', () => {
    const factor = (method: string) => ocsf({ action: 'MfaChallengeFailed', outcome: 'failure', details: { method } });
    expect(factor('totp')).toMatchObject({ is_mfa: true, status_id: 2, auth_factors: [{ factor_type_id: 7 }] });
    expect(factor('email')['auth_factors']).toEqual([{ factor_type_id: 8, factor_type: 'Email' }]);
    expect(factor('backup_code')['auth_factors']).toEqual([{ factor_type_id: 99, factor_type: 'Backup Code' }]);
    expect(factor('webauthn')['auth_factors']).toEqual([{ factor_type_id: 10, factor_type: 'WebAuthn' }]);
    const stepUp = ocsf({ action: 'StepUpSucceeded', details: { method: 'email', amr: ['pwd', 'otp', 'email'] } });
    expect(stepUp).toMatchObject({ is_mfa: true, auth_factors: [{ factor_type_id: 8, factor_type: 'Email' }] });
    expect(ocsf({ action: 'BackupCodesRegenerated', details: { count: 10 } })['auth_factors']).toEqual([
      { factor_type_id: 99, factor_type: 'Backup Code' },
    ]);
  });

  it('names a refused sign-in of an unknown user by the address typed, and gives its reason', () => {
    const record = ocsf({
      action: 'LoginFailed',
      outcome: 'failure',
      actor: { type: 'anonymous', id: null },
      target: null,
      details: { reason: 'unknown_user', email: 'who@example.com' },
    });
    expect(record).toMatchObject({
      user: { name: 'who@example.com' },
      status: 'Failure',
      status_detail: 'unknown_user',
    });
    expect(record).not.toHaveProperty('actor');
  });

  it('renders the MFA policy as a versioned policy entity, refused access as a denied web request', () => {
    const policy = ocsf({
      action: 'PolicyChanged',
      target: { type: 'mfa_policy', id: TENANT },
      details: { version: 4 },
    });
    expect(policy).toMatchObject({
      class_uid: 3004,
      activity_id: 3,
      entity: { uid: TENANT, type_id: 5, version: '4' },
    });
    const denied = ocsf({
      action: 'AccessDenied',
      outcome: 'failure',
      details: { reason: 'forbidden', resource: 'DELETE /v1/admin/users/1' },
    });
    expect(denied).toMatchObject({
      class_uid: 6004,
      activity_id: 2,
      http_request: { http_method: 'DELETE', url: { path: '/v1/admin/users/1' }, user_agent: expect.any(String) },
      web_resources: [{ name: 'DELETE /v1/admin/users/1' }],
    });
  });

  it('renders a checkpoint as a Base Event that carries what was signed', () => {
    const checkpoint = aCheckpoint();
    expect(renderOcsf(checkpointItem(checkpoint))).toMatchObject({
      class_uid: 0,
      activity_id: 99,
      activity_name: 'Audit Checkpoint',
      time: Date.parse(checkpoint.time),
      metadata: { uid: `checkpoint-${TENANT}-7`, sequence: 42, tenant_uid: TENANT, event_code: 'AuditCheckpoint' },
      unmapped: {
        stepguard: {
          type: 'audit_checkpoint',
          tenant_id: TENANT,
          seq: 42,
          number: 7,
          head_hash: checkpoint.headHash,
          time: checkpoint.time,
          previous: checkpoint.previous,
          key_id: checkpoint.keyId,
          signature: checkpoint.signature,
        },
      },
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTION_MAPPINGS, mappingOf, severityOf } from '../../src/audit/formats/action-mappings.js';
import { renderCef } from '../../src/audit/formats/cef.js';
import { renderEcs } from '../../src/audit/formats/ecs.js';
import { ACCOUNT_CHANGE, AUTHENTICATION, ENTITY_MANAGEMENT } from '../../src/audit/formats/ocsf-classes.js';
import { renderOcsf } from '../../src/audit/formats/ocsf.js';
import { anAuditEvent, eventItem } from '../support/audit-items.js';

const src = fileURLToPath(new URL('../../src', import.meta.url));
const sources = (readdirSync(src, { recursive: true }) as string[])
  .filter((path) => path.endsWith('.ts'))
  .map((path) => ({ path, text: readFileSync(join(src, path), 'utf8') }));
const isEventsFile = (path: string) => /(^|\/)events\/|\.events?\.ts$/.test(path);

/**
 * Every action the code can write or publish: each event class's `static readonly type`, each audit
 * action constant beside the events (`export const STEP_UP_FAILED = 'StepUpFailed'`) and each literal
 * `action: 'X'`.
 */
const codeActions = new Set(
  sources.flatMap(({ path, text }) => [
    ...[...text.matchAll(/static readonly type = '([A-Za-z]+)'/g)].map((m) => m[1]!),
    ...(isEventsFile(path) ? [...text.matchAll(/export const [A-Z_]+ = '([A-Z][A-Za-z]+)';/g)].map((m) => m[1]!) : []),
    ...[...text.matchAll(/\baction: '([A-Z][A-Za-z]+)'/g)].map((m) => m[1]!),
  ]),
);

/** ECS 9.4 `event.category` values and the `event.type` values each expects (ECS's allowed values page). */
const ECS_EXPECTED_TYPES: Record<string, string[]> = {
  api: ['access', 'admin', 'allowed', 'change', 'creation', 'deletion', 'denied', 'end', 'info', 'start', 'user'],
  authentication: ['start', 'end', 'info'],
  configuration: ['access', 'change', 'creation', 'deletion', 'info'],
  database: ['access', 'change', 'info', 'error'],
  iam: ['admin', 'change', 'creation', 'deletion', 'group', 'info', 'user'],
  session: ['start', 'end', 'info'],
  web: ['access', 'error', 'info'],
};

describe('the audit action mapping', () => {
  it('finds the actions in the code (the scan itself works)', () => {
    for (const action of [
      'LoginFailed',
      'StepUpFailed',
      'MfaChallengeFailed',
      'FactorVerificationFailed',
      'PolicyChanged',
    ]) {
      expect(codeActions).toContain(action);
    }
  });

  it('has a row for every action the code writes or publishes', () => {
    const missing = [...codeActions].filter((action) => !Object.hasOwn(ACTION_MAPPINGS, action));
    expect(missing).toEqual([]);
  });

  it('has no row for an action the code no longer has', () => {
    expect(Object.keys(ACTION_MAPPINGS).filter((action) => !codeActions.has(action))).toEqual([]);
  });

  it('renders an action with no row as an OCSF Base Event with activity Other, named by the action', () => {
    const item = eventItem(anAuditEvent({ action: 'SomethingNew' }));
    expect(renderOcsf(item)).toMatchObject({
      class_uid: 0,
      category_uid: 0,
      activity_id: 99,
      activity_name: 'SomethingNew',
      type_uid: 99,
      metadata: { event_code: 'SomethingNew' },
    });
    expect(renderEcs(item)['event']).not.toHaveProperty('category');
    expect(renderCef(item)).toMatch(/^CEF:0\|Stepguard\|Stepguard\|[^|]+\|SomethingNew\|SomethingNew\|1\|/);
  });

  it('puts sign-in, sign-out, step-up and session revocation in Authentication (3002)', () => {
    for (const action of ['SessionCreated', 'LoginFailed', 'MfaChallengeFailed', 'StepUpSucceeded', 'SessionRevoked']) {
      expect(ACTION_MAPPINGS[action]!.ocsf.class).toBe(AUTHENTICATION);
    }
    expect(ACTION_MAPPINGS['SessionCreated']!.ocsf.activity.id).toBe(1);
    expect(ACTION_MAPPINGS['SessionRevoked']!.ocsf.activity.id).toBe(2);
  });

  it('puts password and factor changes, lock and unlock in Account Change (3001), the policy in Entity Management', () => {
    const activity = (action: string) => [
      ACTION_MAPPINGS[action]!.ocsf.class.uid,
      ACTION_MAPPINGS[action]!.ocsf.activity.id,
    ];
    expect(activity('PasswordChanged')).toEqual([ACCOUNT_CHANGE.uid, 3]);
    expect(activity('FactorEnrolled')).toEqual([ACCOUNT_CHANGE.uid, 10]);
    expect(activity('FactorRemoved')).toEqual([ACCOUNT_CHANGE.uid, 11]);
    expect(activity('FactorLocked')).toEqual([ACCOUNT_CHANGE.uid, 9]);
    expect(activity('MfaResetCompleted')).toEqual([ACCOUNT_CHANGE.uid, 12]);
    expect(activity('PolicyChanged')).toEqual([ENTITY_MANAGEMENT.uid, 3]);
  });

  it('gives each row ECS categories, and only event types its categories expect', () => {
    for (const [action, { ecs }] of Object.entries(ACTION_MAPPINGS)) {
      expect([action, ecs.category.length > 0 && ecs.type.length > 0]).toEqual([action, true]);
      for (const category of ecs.category) expect(Object.keys(ECS_EXPECTED_TYPES)).toContain(category);
      for (const type of ecs.type) {
        const expectedSomewhere = ecs.category.some((category) => ECS_EXPECTED_TYPES[category]!.includes(type));
        expect([action, type, expectedSomewhere]).toEqual([action, type, true]);
      }
    }
  });

  it('raises an informational action to low when it failed, and leaves other severities', () => {
    expect(severityOf(mappingOf('SessionCreated'), 'success')).toBe('informational');
    expect(severityOf(mappingOf('PasswordChanged'), 'failure')).toBe('low');
    expect(severityOf(mappingOf('FactorEnrollmentStarted'), 'failure')).toBe('low');
    expect(severityOf(mappingOf('FactorLocked'), 'success')).toBe('high');
    expect(severityOf(mappingOf('PolicyChanged'), 'failure')).toBe('medium');
  });
});

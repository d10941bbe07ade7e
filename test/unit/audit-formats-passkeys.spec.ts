import { describe, expect, it } from '@jest/globals';
import { renderCef } from '../../src/audit/formats/cef.js';
import { renderEcs } from '../../src/audit/formats/ecs.js';
import { renderOcsf } from '../../src/audit/formats/ocsf.js';
import { anAuditEvent, eventItem } from '../support/audit-items.js';

type Json = Record<string, any>;
type Overrides = Parameters<typeof anAuditEvent>[0];
const item = (overrides: Overrides) => eventItem(anAuditEvent(overrides));

const cloneSuspected: Overrides = {
  action: 'PasskeyCloneSuspected',
  outcome: 'failure',
  target: { type: 'factor', id: '7b1d2c3e-0000-4000-8000-000000000001' },
  details: { factorType: 'webauthn', label: 'Laptop', storedCounter: 9, receivedCounter: 3 },
};
const enrolled = (action: string): Overrides => ({
  action,
  target: { type: 'factor', id: '7b1d2c3e-0000-4000-8000-000000000002' },
  details: { factorType: 'webauthn', label: 'Laptop' },
});

describe('passkey events in every format', () => {
  it('renders a suspected clone as a refused, high-severity second-factor check with a WebAuthn factor (OCSF)', () => {
    const record = renderOcsf(item(cloneSuspected)) as Json;
    expect(record).toMatchObject({
      class_uid: 3002,
      activity_id: 99,
      status_id: 2,
      severity_id: 4,
      is_mfa: true,
      auth_factors: [{ factor_type_id: 10, factor_type: 'WebAuthn' }],
    });
  });

  it('renders a suspected clone as a failed authentication event (ECS) and high (CEF)', () => {
    const ecs = renderEcs(item(cloneSuspected)) as Json;
    expect(ecs['event']).toMatchObject({ category: ['authentication'], type: ['info'], outcome: 'failure' });
    const cef = renderCef(item(cloneSuspected));
    expect(cef).toMatch(/\|PasskeyCloneSuspected\|Cloned passkey suspected\|8\|/);
  });

  it.each(['FactorEnrollmentStarted', 'FactorEnrolled'])('renders %s of a passkey with a WebAuthn factor', (action) => {
    const record = renderOcsf(item(enrolled(action))) as Json;
    expect(record['class_uid']).toBe(3001);
    expect(record['auth_factors']).toEqual([{ factor_type_id: 10, factor_type: 'WebAuthn' }]);
    expect((renderEcs(item(enrolled(action))) as Json)['event']).toMatchObject({ category: ['iam'] });
    expect(renderCef(item(enrolled(action)))).toContain(`|${action}|`);
  });
});

import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { cefHeader, cefValue, renderCef } from '../../src/audit/formats/cef.js';
import {
  aCheckpoint,
  anAuditEvent,
  checkpointItem,
  eventItem,
  hashOfView,
  TENANT,
  USER,
} from '../support/audit-items.js';
import { labelled, parseCef } from '../support/cef-parser.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const cef = (overrides: Parameters<typeof anAuditEvent>[0] = {}) => renderCef(eventItem(anAuditEvent(overrides)));

/** A user agent and details a hostile client could send: every character CEF treats specially, and more. */
const HOSTILE_AGENT = 'Evil|Agent\\1.0 a=b\nsecond line\r\nthird cs1=forged 🚀 Ünïcødé ✓';
const HOSTILE_DETAILS = { reason: 'x=y | z\\w\nnext', note: ' act=Forged outcome=success ' };

describe('the CEF rendering', () => {
  it('writes the header: CEF:0, vendor and product Stepguard, the package version, the action, its title, a severity', () => {
    const { header } = parseCef(cef());
    expect(header).toEqual(['CEF:0', 'Stepguard', 'Stepguard', version, 'SessionCreated', 'Session opened', '1']);
  });

  it('escapes backslashes and pipes in the header, and turns its line breaks into spaces', () => {
    expect(cefHeader('a|b\\c')).toBe('a\\|b\\\\c');
    expect(cefHeader('one\ntwo\r\nthree')).toBe('one two three');
    expect(cefHeader('x=y')).toBe('x=y');
    const { header } = parseCef(cef({ action: 'Odd|Action\\Name' }));
    expect(header.slice(4, 6)).toEqual(['Odd|Action\\Name', 'Odd|Action\\Name']);
  });

  it('escapes backslashes, equals signs and line breaks in extension values, and leaves pipes', () => {
    expect(cefValue('a\\b=c|d')).toBe('a\\\\b\\=c|d');
    expect(cefValue('one\ntwo\r\n')).toBe('one\\ntwo\\r\\n');
    expect(cefValue('\\n')).toBe('\\\\n');
  });

  it('keeps a hostile user agent and details whole: one line, nothing forged, read back exactly', () => {
    const line = cef({ userAgent: HOSTILE_AGENT, details: HOSTILE_DETAILS });
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toContain('🚀 Ünïcødé ✓');
    const { header, extension } = parseCef(line);
    expect(header).toHaveLength(7);
    expect(extension['requestClientApplication']).toBe(HOSTILE_AGENT);
    expect(extension['reason']).toBe(HOSTILE_DETAILS.reason);
    expect(extension['act']).toBe('SessionCreated');
    expect(extension['outcome']).toBe('success');
    expect(labelled(extension, 'tenant')).toBe(TENANT);
    expect(JSON.parse(labelled(extension, 'details')!)).toEqual(HOSTILE_DETAILS);
  });

  it('carries the event id, tenant, seq, prevHash and hash in named keys', () => {
    const event = anAuditEvent();
    const { extension } = parseCef(renderCef(eventItem(event)));
    expect(extension['externalId']).toBe(event.id);
    expect(extension['rt']).toBe(String(Date.parse(event.occurredAt)));
    expect(extension).toMatchObject({
      cn1Label: 'seq',
      cn1: '42',
      cs1Label: 'tenant',
      cs2Label: 'prevHash',
      cs3Label: 'hash',
    });
    expect([labelled(extension, 'prevHash'), labelled(extension, 'hash')]).toEqual([event.prevHash, event.hash]);
    expect(extension).toMatchObject({ suid: USER, src: event.ip, cs4: 'user', cs5: `session:${event.target!.id}` });
  });

  it('holds everything the hash covers: a receiver recomputes the hash from the CEF line alone', () => {
    for (const event of [
      anAuditEvent({ userAgent: HOSTILE_AGENT, details: HOSTILE_DETAILS }),
      anAuditEvent({
        tenantId: null,
        ip: null,
        userAgent: null,
        target: null,
        details: {},
        actor: { type: 'system', id: null },
      }),
    ]) {
      const { extension: x } = parseCef(renderCef(eventItem(event)));
      const target = labelled(x, 'target');
      const split = target?.indexOf(':') ?? -1;
      const rebuilt = {
        id: x['externalId']!,
        tenantId: labelled(x, 'tenant') ?? null,
        seq: Number(labelled(x, 'seq')),
        occurredAt: new Date(Number(x['rt'])).toISOString(),
        action: x['act']!,
        outcome: x['outcome'] as 'success' | 'failure',
        actor: { type: labelled(x, 'actorType') as 'user', id: x['suid'] ?? null },
        target:
          target === undefined
            ? null
            : split < 0
              ? { type: target, id: null }
              : { type: target.slice(0, split), id: target.slice(split + 1) },
        ip: x['src'] ?? null,
        userAgent: x['requestClientApplication'] ?? null,
        details: JSON.parse(labelled(x, 'details') ?? '{}') as Record<string, unknown>,
        prevHash: labelled(x, 'prevHash')!,
      };
      expect(hashOfView(rebuilt)).toBe(labelled(x, 'hash'));
    }
  });

  it('sets the severity from the action and the outcome', () => {
    const severity = (overrides: Parameters<typeof anAuditEvent>[0]) => parseCef(cef(overrides)).header[6];
    expect(severity({ action: 'SessionCreated' })).toBe('1');
    expect(severity({ action: 'SessionCreated', outcome: 'failure' })).toBe('3');
    expect(severity({ action: 'PolicyChanged' })).toBe('5');
    expect(severity({ action: 'FactorLocked' })).toBe('8');
  });

  it('renders a checkpoint with what was signed under its own labels', () => {
    const checkpoint = aCheckpoint();
    const { header, extension } = parseCef(renderCef(checkpointItem(checkpoint)));
    expect(header.slice(4)).toEqual(['AuditCheckpoint', 'Audit checkpoint 7', '1']);
    expect(extension['externalId']).toBe(`checkpoint-${TENANT}-7`);
    expect(
      Object.fromEntries(
        ['tenant', 'seq', 'checkpoint', 'headHash', 'previous', 'keyId', 'signature'].map((l) => [
          l,
          labelled(extension, l),
        ]),
      ),
    ).toEqual({
      tenant: TENANT,
      seq: '42',
      checkpoint: '7',
      headHash: checkpoint.headHash,
      previous: checkpoint.previous,
      keyId: checkpoint.keyId,
      signature: checkpoint.signature,
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { AUDIT_FORMATS, renderJson, renderLine } from '../../src/audit/formats/audit-format.js';
import { parseNative, renderNative } from '../../src/audit/formats/native.js';
import { streamItemId } from '../../src/audit/formats/stream-item-facts.js';
import { aCheckpoint, anAuditEvent, checkpointItem, eventItem, TENANT } from '../support/audit-items.js';

const MULTILINE = anAuditEvent({
  userAgent: 'agent\nwith a line break \u2028 and 🚀',
  details: { reason: 'first line\nsecond line', nested: { list: [1, 'two\r\n'] } },
});

describe('the native rendering', () => {
  it('is the event exactly as the API serves it, after a first member type: audit_event', () => {
    const event = anAuditEvent();
    const native = renderNative(eventItem(event));
    expect(Object.keys(native)[0]).toBe('type');
    expect(native).toEqual({ type: 'audit_event', ...event });
  });

  it('is the checkpoint as served, after type: audit_checkpoint', () => {
    const checkpoint = aCheckpoint();
    expect(renderNative(checkpointItem(checkpoint))).toEqual({ type: 'audit_checkpoint', ...checkpoint });
  });

  it('reads back to the same stream item through its JSON text', () => {
    for (const item of [
      eventItem(MULTILINE),
      eventItem(anAuditEvent({ tenantId: null, target: null })),
      checkpointItem(aCheckpoint({ previous: null })),
    ]) {
      expect(parseNative(JSON.parse(renderLine('native', item)))).toEqual(item);
    }
  });

  it('refuses what is not a native item (another type, a member missing) and leaves out members it does not know', () => {
    const item = eventItem(anAuditEvent());
    const native = renderNative(item) as Record<string, unknown>;
    expect(() => parseNative({ ...native, type: 'audit_other' })).toThrow();
    const { hash: _hash, ...unhashed } = native;
    expect(() => parseNative(unhashed)).toThrow();
    expect(() => parseNative({ ...native, seq: '42' })).toThrow();
    expect(parseNative({ ...native, addedLater: 1 })).toEqual(item);
  });
});

describe('every rendering', () => {
  it('writes one line per item in every format, whatever line breaks the event holds', () => {
    for (const format of AUDIT_FORMATS) {
      for (const item of [eventItem(MULTILINE), checkpointItem(aCheckpoint())]) {
        expect([format, renderLine(format, item)]).toEqual([format, expect.not.stringMatching(/[\r\n]/)]);
      }
    }
    expect(JSON.parse(renderLine('ocsf', eventItem(MULTILINE)))).toEqual(renderJson('ocsf', eventItem(MULTILINE)));
  });

  it('carries the id, the tenant, the seq, prevHash and hash of an event in every format', () => {
    const event = anAuditEvent();
    for (const format of AUDIT_FORMATS) {
      const text = renderLine(format, eventItem(event));
      for (const value of [event.id, TENANT, event.prevHash, event.hash])
        expect([format, text]).toEqual([format, expect.stringContaining(value)]);
      expect([format, text]).toEqual([format, expect.stringMatching(/"?(seq|sequence|cn1)"?[:=]42\b/)]);
    }
  });

  it('de-duplicates by a stable id: the event id, or the checkpoint chain and number', () => {
    expect(streamItemId(eventItem(anAuditEvent()))).toBe(anAuditEvent().id);
    expect(streamItemId(checkpointItem(aCheckpoint()))).toBe(`checkpoint-${TENANT}-7`);
    expect(streamItemId(checkpointItem(aCheckpoint({ tenantId: null })))).toBe('checkpoint-platform-7');
  });
});

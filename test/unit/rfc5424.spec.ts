import { describe, expect, it } from '@jest/globals';
import {
  escapeParamValue,
  octetCountedFrame,
  rfc5424Timestamp,
  syslogMessage,
} from '../../src/audit/stream/transports/rfc5424.js';
import { aCheckpointItem, anEventItem } from '../support/stream-items.js';

const HEADER = { hostname: 'sg-1.example', appName: 'stepguard' };

describe('an RFC 5424 message for a stream item', () => {
  it('carries an event as authpriv.notice with its time, action and chain links', () => {
    const item = anEventItem(7);
    if (item.kind !== 'event') throw new Error('an event item');
    const { event } = item;
    expect(syslogMessage(item, '{"x":1}', HEADER)).toBe(
      `<85>1 ${event.occurredAt} sg-1.example stepguard - SessionRevoked ` +
        `[stepguard@32473 tenant="${event.tenantId}" seq="7" id="${event.id}" prevHash="${event.prevHash}" hash="${event.hash}"] {"x":1}`,
    );
  });

  it('raises a failed action to warning', () => {
    expect(syslogMessage(anEventItem(1, { outcome: 'failure', action: 'LoginFailed' }), 'b', HEADER)).toMatch(
      /^<84>1 \S+ sg-1\.example stepguard - LoginFailed \[/,
    );
  });

  it('carries a checkpoint as informational at its own time, with the seq and head hash it covers', () => {
    const item = aCheckpointItem(42, { number: 9, time: '2030-02-03T04:05:06.789Z' });
    if (item.kind !== 'checkpoint') throw new Error('a checkpoint item');
    expect(syslogMessage(item, 'body', HEADER)).toBe(
      `<86>1 2030-02-03T04:05:06.789Z sg-1.example stepguard - checkpoint ` +
        `[stepguard@32473 tenant="${item.checkpoint.tenantId}" seq="42" checkpoint="9" hash="${item.checkpoint.headHash}"] body`,
    );
  });

  it('leaves the tenant out for the platform chain', () => {
    const message = syslogMessage(anEventItem(3, { tenantId: null }), 'b', HEADER);
    expect(message).toContain('[stepguard@32473 seq="3" id="');
    expect(message).not.toContain('tenant=');
  });

  it('takes another facility when told', () => {
    expect(syslogMessage(anEventItem(1), 'b', { ...HEADER, facility: 13 })).toMatch(/^<109>1 /);
  });

  it('keeps header fields to printable ASCII within their lengths, or the nil value', () => {
    const action = 'A'.repeat(40);
    const message = syslogMessage(anEventItem(1, { action }), 'b', { hostname: 'h ö st', appName: ' ' });
    expect(message).toMatch(new RegExp(`^<85>1 \\S+ hst - - ${'A'.repeat(32)} \\[`));
  });

  it('starts the body with a BOM only when asked', () => {
    expect(syslogMessage(anEventItem(1), 'héllo', HEADER)).toMatch(/\] héllo$/);
    expect(syslogMessage(anEventItem(1), 'héllo', { ...HEADER, utf8Bom: true })).toMatch(/\] \uFEFFhéllo$/);
  });
});

describe('structured data values', () => {
  it('escapes the quote, the backslash and the closing bracket, and nothing else', () => {
    expect(escapeParamValue('a"b\\c]d[e=f')).toBe('a\\"b\\\\c\\]d[e=f');
  });

  it('escapes what reaches an SD parameter', () => {
    const message = syslogMessage(anEventItem(1, { id: 'x"]\\' }), 'b', HEADER);
    expect(message).toContain(' id="x\\"\\]\\\\" ');
  });
});

describe('the RFC 5424 timestamp', () => {
  it('keeps an RFC 3339 time with up to six fraction digits as it is', () => {
    expect(rfc5424Timestamp('2030-01-01T00:00:00Z')).toBe('2030-01-01T00:00:00Z');
    expect(rfc5424Timestamp('2030-01-01T00:00:00.123456+02:00')).toBe('2030-01-01T00:00:00.123456+02:00');
  });

  it('cuts a longer fraction to six digits and upper-cases the separator and zone', () => {
    expect(rfc5424Timestamp('2030-01-01t00:00:00.123456789z')).toBe('2030-01-01T00:00:00.123456Z');
  });

  it('rewrites another readable date in UTC and gives the nil value for nonsense', () => {
    expect(rfc5424Timestamp('Tue, 01 Jan 2030 00:00:00 GMT')).toBe('2030-01-01T00:00:00.000Z');
    expect(rfc5424Timestamp('yesterday')).toBe('-');
  });
});

describe('octet-counted framing', () => {
  it('prefixes the length in octets, not characters, and a space', () => {
    const frame = octetCountedFrame('é😀');
    expect(frame.toString('utf8')).toBe('6 é😀');
    expect(frame.subarray(2)).toHaveLength(6);
  });
});

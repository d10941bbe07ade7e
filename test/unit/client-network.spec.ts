import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { clientNetworkOf } from '../../src/common/client-network.js';

describe('clientNetworkOf (the unit a per-IP limit counts)', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientNetworkOf('203.0.113.7')).toBe('203.0.113.7');
  });

  it('reads an IPv4-mapped IPv6 address as its IPv4 address, in either notation', () => {
    expect(clientNetworkOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetworkOf('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(clientNetworkOf('0:0:0:0:0:ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetworkOf('0000:0000:0000:0000:0000:FFFF:CB00:7107')).toBe('203.0.113.7');
    expect(clientNetworkOf('::ffff:0.0.0.0')).toBe('0.0.0.0');
  });

  it('reads the deprecated IPv4-compatible form ::a.b.c.d as its IPv4 address too', () => {
    expect(clientNetworkOf('::203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 address by its /64: first four groups, expanded and lower-cased', () => {
    expect(clientNetworkOf('2001:DB8:a:b:1:2:3:4')).toBe('2001:0db8:000a:000b::/64');
    expect(clientNetworkOf('2001:db8:a:b::1')).toBe('2001:0db8:000a:000b::/64');
    expect(clientNetworkOf('2001:0db8:000a:000b:ffff:ffff:ffff:ffff')).toBe('2001:0db8:000a:000b::/64');
  });

  it('expands :: wherever it stands', () => {
    expect(clientNetworkOf('2001:db8::1')).toBe('2001:0db8:0000:0000::/64');
    expect(clientNetworkOf('2001:db8::a:0:0:1')).toBe('2001:0db8:0000:0000::/64');
    expect(clientNetworkOf('2001:db8:1::')).toBe('2001:0db8:0001:0000::/64');
    expect(clientNetworkOf('::1')).toBe('0000:0000:0000:0000::/64');
    expect(clientNetworkOf('::')).toBe('0000:0000:0000:0000::/64');
    expect(clientNetworkOf('2001:db8:a:b::')).toBe('2001:0db8:000a:000b::/64');
    expect(clientNetworkOf('::a:b:c:d:e')).toBe('0000:0000:0000:000a::/64');
    expect(clientNetworkOf('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(clientNetworkOf('2001:db8::1'));
  });

  it('does not mistake an IPv4 tail on another prefix for an IPv4 client', () => {
    expect(clientNetworkOf('64:ff9b::203.0.113.7')).toBe('0064:ff9b:0000:0000::/64');
    expect(clientNetworkOf('2001:db8:1:2:3:4:203.0.113.7')).toBe('2001:0db8:0001:0002::/64');
  });

  it('tells different /64s apart', () => {
    expect(clientNetworkOf('2001:db8:0:1::1')).not.toBe(clientNetworkOf('2001:db8:0:2::1'));
  });

  it('drops a zone id, which names our interface rather than the client', () => {
    expect(clientNetworkOf('fe80::1%eth0')).toBe('fe80:0000:0000:0000::/64');
    expect(clientNetworkOf('FE80::ABCD%25')).toBe('fe80:0000:0000:0000::/64');
    expect(clientNetworkOf('::ffff:203.0.113.7%lo0')).toBe('203.0.113.7');
  });

  it('trims the address it is given', () => {
    expect(clientNetworkOf(' 203.0.113.7 ')).toBe('203.0.113.7');
    expect(clientNetworkOf('\t2001:db8:a:b::1\n')).toBe('2001:0db8:000a:000b::/64');
  });

  it('returns anything that is not an IP address as it came (trimmed and lower-cased)', () => {
    expect(clientNetworkOf('not an ip')).toBe('not an ip');
    expect(clientNetworkOf(' Not An IP ')).toBe('not an ip');
    for (const garbage of [
      '',
      '256.1.1.1',
      '1.2.3',
      '127.1',
      '0x7f.0.0.1',
      '203.0.113.7:443',
      '2001:db8::1::2',
      '2001:db8:a:b:c:d:e:f:1',
      '12345::1',
      ':::',
      '::ffff:0x7f.0.0.1',
      '::ffff:256.0.0.1',
      'g::1',
    ]) {
      expect(clientNetworkOf(garbage)).toBe(garbage);
    }
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.ipV4Extended(),
          fc.ipV6(),
          fc.ipV6().map((a) => `${a}%eth0`),
        ),
        (input) => {
          expect(typeof clientNetworkOf(input)).toBe('string');
        },
      ),
    );
  });

  it('reads every IPv6 address as a /64 of four full groups, or as the IPv4 address it carries', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        expect(clientNetworkOf(address)).toMatch(/^(?:[0-9a-f]{4}:){4}:\/64$|^\d{1,3}(?:\.\d{1,3}){3}$/);
      }),
    );
  });
});

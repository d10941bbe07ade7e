import { describe, expect, it } from '@jest/globals';
import { clientNetworkOf } from '../../src/common/client-network.js';

describe('clientNetworkOf (the unit a per-IP limit counts)', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientNetworkOf('203.0.113.7')).toBe('203.0.113.7');
  });

  it('reads an IPv4-mapped IPv6 address as its IPv4 address, in either notation', () => {
    expect(clientNetworkOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetworkOf('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(clientNetworkOf('0:0:0:0:0:ffff:203.0.113.7')).toBe('203.0.113.7');
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
  });

  it('returns anything that is not an IP address as it came', () => {
    expect(clientNetworkOf('not an ip')).toBe('not an ip');
  });
});

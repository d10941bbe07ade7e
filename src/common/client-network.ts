import ipaddr from 'ipaddr.js';
import { isIPv6 } from 'node:net';

/**
 * The unit a per-IP limit counts: an IPv4 address, or the /64 of an IPv6 one (as
 * `2001:0db8:0000:0001::/64`). One subscriber is routinely given a whole /64 and picks addresses in it
 * at will (privacy addresses rotate there), so counting single IPv6 addresses would hand one client
 * 2^64 fresh budgets. An IPv4-mapped address (`::ffff:a.b.c.d`, as a dual-stack socket reports an
 * IPv4 peer, or the deprecated `::a.b.c.d`) is its IPv4 address. Anything that is not an IP address
 * is returned as it came (trimmed and lower-cased); this never throws.
 */
export function clientNetworkOf(ip: string): string {
  // A zone id (`fe80::1%eth0`) names one of our interfaces, not the client.
  const address = ip.trim().toLowerCase().replace(/%.*$/, '');
  // node:net decides what is an IPv6 address: ipaddr.js also takes hex and octal octets in a dotted
  // tail (`::ffff:0x7f.0.0.1`), which no socket reports. An IPv4 address falls through as it is.
  if (!isIPv6(address)) return address;
  const parsed = ipaddr.IPv6.parse(address);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  return `${parsed.parts
    .slice(0, 4)
    .map((group) => group.toString(16).padStart(4, '0'))
    .join(':')}::/64`;
}

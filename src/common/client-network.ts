import { isIPv4, isIPv6 } from 'node:net';

/**
 * The unit a per-IP limit counts: an IPv4 address, or the /64 of an IPv6 one (as
 * `2001:0db8:0000:0001::/64`). One subscriber is routinely given a whole /64 and picks addresses in it
 * at will (privacy addresses rotate there), so counting single IPv6 addresses would hand one client
 * 2^64 fresh budgets. An IPv4-mapped address (`::ffff:a.b.c.d`, as a dual-stack socket reports an
 * IPv4 peer) is its IPv4 address. Anything that is not an IP address is returned as it came.
 */
export function clientNetworkOf(ip: string): string {
  // A zone id (`fe80::1%eth0`) names one of our interfaces, not the client.
  const address = ip.trim().toLowerCase().replace(/%.*$/, '');
  if (isIPv4(address) || !isIPv6(address)) return address;
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16).padStart(4, '0'))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail split in two). */
function ipv6Groups(address: string): number[] {
  const parse = (part: string): number[] =>
    part
      ? part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        })
      : [];
  const [head = '', tail] = address.split('::');
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

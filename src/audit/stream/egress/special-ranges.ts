import { Cidr, embeddedIpv4, type IpAddress } from './cidr.js';

/** Why an address is no place to send audit events to, unless the operator says otherwise. */
export type SpecialRange =
  | 'cloud metadata'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared (carrier-grade NAT)'
  | 'link-local'
  | 'multicast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

type Table = readonly (readonly [string, SpecialRange])[];

/**
 * The IANA special-purpose blocks no SIEM on the internet lives in. Cloud metadata endpoints come first
 * so that the refusal names them: the reason an attacker points a sink at 169.254.169.254.
 */
const IPV4: Table = [
  ['169.254.169.254/32', 'cloud metadata'], // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle …
  ['169.254.170.2/32', 'cloud metadata'], // AWS ECS task credentials
  ['100.100.100.200/32', 'cloud metadata'], // Alibaba Cloud
  ['168.63.129.16/32', 'cloud metadata'], // Azure WireServer: a public-looking address that is not
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared (carrier-grade NAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments (Oracle Cloud's metadata is 192.0.0.192)
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'], // 6to4 relay anycast, deprecated
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // and 255.255.255.255, the broadcast address
];

/** IPv6 outside 2000::/3 (global unicast) is refused as reserved unless named here more precisely. */
const IPV6: Table = [
  ['fd00:ec2::254/128', 'cloud metadata'], // AWS IMDS over IPv6
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'], // local-use NAT64: a translator into a private network
  ['2001::/23', 'reserved'], // IETF protocol assignments: Teredo, ORCHID, benchmarking …
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', 'reserved'], // 6to4, deprecated; it tunnels to whichever IPv4 address it embeds
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'private'], // unique local
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'], // site-local, deprecated
  ['ff00::/8', 'multicast'],
];

const compile = (table: Table) => table.map(([cidr, range]) => ({ cidr: Cidr.parse(cidr)!, range }));
const IPV4_RANGES = compile(IPV4);
const IPV6_RANGES = compile(IPV6);
const GLOBAL_UNICAST = Cidr.parse('2000::/3')!;

export interface SpecialAddress {
  range: SpecialRange;
  /** The IPv4 address an IPv4-mapped or NAT64 address was judged by, when it was. */
  via?: string;
}

/**
 * The special-purpose range an address falls in, or undefined for an ordinary public unicast address.
 * An IPv6 address that stands for an IPv4 one (`::ffff:127.0.0.1`, `64:ff9b::a9fe:a9fe`) is judged as
 * that IPv4 address, since that is where the connection ends up.
 */
export function specialRangeOf(address: IpAddress): SpecialAddress | undefined {
  const v4 = address.kind() === 'ipv4' ? address : embeddedIpv4(address);
  if (v4) {
    const hit = IPV4_RANGES.find(({ cidr }) => cidr.contains(v4));
    if (!hit) return undefined;
    return v4 === address ? { range: hit.range } : { range: hit.range, via: v4.toString() };
  }
  const hit = IPV6_RANGES.find(({ cidr }) => cidr.contains(address));
  if (hit) return { range: hit.range };
  return GLOBAL_UNICAST.contains(address) ? undefined : { range: 'reserved' };
}

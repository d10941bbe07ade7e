import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** An address block: `10.0.0.0/8`, `fc00::/7`, or one address written alone (a /32 or /128). */
export class Cidr {
  private constructor(
    readonly network: IpAddress,
    readonly bits: number,
  ) {}

  /**
   * Parses what node:net calls an IP address, with an optional prefix; undefined for anything else.
   * node:net decides, not ipaddr.js, which would also read octal, hex and shortened IPv4 forms.
   */
  static parse(text: string): Cidr | undefined {
    const [address = '', prefix, ...rest] = text.trim().split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0 || address.includes('%')) return undefined;
    const max = family === 4 ? 32 : 128;
    if (prefix !== undefined && !/^[0-9]{1,3}$/.test(prefix)) return undefined;
    const bits = prefix === undefined ? max : Number(prefix);
    if (bits > max) return undefined;
    return new Cidr(ipaddr.parse(address), bits);
  }

  contains(address: IpAddress): boolean {
    return address.kind() === this.network.kind() && address.match(this.network, this.bits);
  }

  toString(): string {
    return `${this.network.toString()}/${this.bits}`;
  }
}

/** The address node:net accepts as an IP literal (brackets and a zone id removed), parsed; else undefined. */
export function parseIpLiteral(text: string): IpAddress | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return isIP(bare) === 0 ? undefined : ipaddr.parse(bare);
}

/**
 * The IPv4 address an IPv6 address stands for, when it stands for one: IPv4-mapped (`::ffff:a.b.c.d`,
 * what a dual-stack socket connects to as IPv4) and the NAT64 well-known prefix (`64:ff9b::a.b.c.d`,
 * which a translator on the path turns into a connection to that IPv4 address).
 */
export function embeddedIpv4(address: IpAddress): ipaddr.IPv4 | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  if (NAT64.contains(v6)) {
    const [, , , , , , high = 0, low = 0] = v6.parts;
    return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  }
  return undefined;
}

const NAT64 = Cidr.parse('64:ff9b::/96')!;

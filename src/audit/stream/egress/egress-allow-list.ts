import { Cidr, embeddedIpv4, type IpAddress } from './cidr.js';

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A DNS host name as a URL's host presents it (lower case, punycode), without a trailing dot. */
export function isHostName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return bare.length > 0 && bare.length <= 253 && bare.split('.').every((label) => LABEL.test(label));
}

/** Lower case, without the trailing dot of a fully qualified name: how two host names are compared. */
export function normaliseHostName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * One entry of AUDIT_STREAM_EGRESS_ALLOW is valid when it is an IP address, a CIDR, a host name or
 * `*.` and a domain; this says what is wrong with it, or undefined.
 */
export function egressAllowEntryProblem(entry: string): string | undefined {
  if (Cidr.parse(entry)) return undefined;
  const name = entry.startsWith('*.') ? entry.slice(2) : entry;
  if (/^[0-9./:]+$/.test(name) || !isHostName(name.toLowerCase())) {
    return `${JSON.stringify(entry)} is not an IP address, a CIDR (address/prefix), a host name or *.domain`;
  }
  return undefined;
}

/**
 * What the operator lets sinks reach although the egress guard would refuse it: on-premises SIEMs on
 * private networks. Address blocks let any sink reach those addresses; a host name lets sinks that name
 * it reach whatever it resolves to (trusting the operator's DNS for that name), `*.corp.example` every
 * name under that domain.
 */
export class EgressAllowList {
  private constructor(
    private readonly blocks: readonly Cidr[],
    private readonly names: ReadonlySet<string>,
    private readonly domains: readonly string[],
  ) {}

  static readonly NONE = new EgressAllowList([], new Set(), []);

  /** From the setting's entries (or its raw comma-separated value); throws TypeError on a bad entry. */
  static parse(entries: string | readonly string[]): EgressAllowList {
    const list = typeof entries === 'string' ? entries.split(',') : entries;
    const blocks: Cidr[] = [];
    const names = new Set<string>();
    const domains: string[] = [];
    for (const raw of list.map((entry) => entry.trim()).filter(Boolean)) {
      const problem = egressAllowEntryProblem(raw);
      if (problem) throw new TypeError(problem);
      const block = Cidr.parse(raw);
      if (block) blocks.push(block);
      else if (raw.startsWith('*.')) domains.push(normaliseHostName(raw.slice(1)));
      else names.add(normaliseHostName(raw));
    }
    return new EgressAllowList(blocks, names, domains);
  }

  allowsAddress(address: IpAddress): boolean {
    const v4 = embeddedIpv4(address);
    return this.blocks.some((block) => block.contains(address) || (v4 !== undefined && block.contains(v4)));
  }

  allowsHostName(name: string): boolean {
    const host = normaliseHostName(name);
    return this.names.has(host) || this.domains.some((domain) => host.endsWith(domain));
  }
}

import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { Env } from '../../../../config/index.js';
import { parseIpLiteral, type IpAddress } from './cidr.js';
import { EgressAllowList, isHostName } from './egress-allow-list.js';
import { EgressRefusedError } from './egress-refused.error.js';
import { specialRangeOf } from './special-ranges.js';

/** Every address a host name resolves to, in the resolver's order (family 0: both). */
export type HostResolver = (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;

const systemResolver: HostResolver = (hostname, family) =>
  dnsLookup(hostname, { all: true, family, order: 'verbatim' });

export interface EgressGuardOptions {
  /** What the operator lets through (AUDIT_STREAM_EGRESS_ALLOW). */
  allow?: EgressAllowList;
  /** Only https URLs and TLS connections (NODE_ENV=production). */
  requireTls?: boolean;
  /** How host names are resolved at connect time; the system resolver (getaddrinfo) by default. */
  resolve?: HostResolver;
}

const OVERRIDE = 'unless the operator allows it in AUDIT_STREAM_EGRESS_ALLOW';

/**
 * Keeps audit sinks from reaching what they should not: the host's own services, the private network
 * and the cloud metadata endpoint (SSRF). A sink's URL or host is checked when it is saved and again at
 * every connection: `lookup` resolves the name, drops every address in a special-purpose range and
 * refuses the name when none is left, so a name that resolves (or is re-pointed, DNS rebinding) to an
 * internal address never gets a connection. Node does not call `lookup` for an IP literal: whoever
 * connects checks the host with `checkHost` (or the URL with `checkSinkUrl`) first, then connects with
 * `{ host, lookup: guard.lookup }` (http/https/net/tls alike).
 */
export class EgressGuard {
  readonly requireTls: boolean;
  private readonly allow: EgressAllowList;
  private readonly resolver: HostResolver;

  constructor(options: EgressGuardOptions = {}) {
    this.allow = options.allow ?? EgressAllowList.NONE;
    this.requireTls = options.requireTls ?? false;
    this.resolver = options.resolve ?? systemResolver;
  }

  /** The guard the settings ask for: AUDIT_STREAM_EGRESS_ALLOW, and TLS only with NODE_ENV=production. */
  static fromEnv(env: Pick<Env, 'NODE_ENV' | 'AUDIT_STREAM_EGRESS_ALLOW'>, resolve?: HostResolver): EgressGuard {
    return new EgressGuard({
      allow: EgressAllowList.parse(env.AUDIT_STREAM_EGRESS_ALLOW),
      requireTls: env.NODE_ENV === 'production',
      ...(resolve ? { resolve } : {}),
    });
  }

  /** Refuses a connection without TLS (a plain-TCP syslog sink) when TLS is required. */
  checkTransportSecurity(tls: boolean): void {
    if (!tls && this.requireTls) {
      throw new EgressRefusedError('scheme_not_allowed', 'The sink must use TLS (NODE_ENV=production)');
    }
  }

  /**
   * The checks of a sink URL that need no DNS: http(s) (https only when TLS is required), no
   * credentials, a host name or an allowed IP literal. Returns the URL without its fragment.
   */
  checkSinkUrl(raw: string | URL): URL {
    const text = String(raw);
    if (!URL.canParse(text)) throw new EgressRefusedError('url_invalid', 'The sink URL is not a valid URL');
    const url = new URL(text);
    const schemes = this.requireTls ? ['https:'] : ['https:', 'http:'];
    if (!schemes.includes(url.protocol)) {
      const rule = this.requireTls ? 'must use https (NODE_ENV=production)' : 'must use http or https';
      throw new EgressRefusedError('scheme_not_allowed', `The sink URL ${rule}`);
    }
    if (url.username || url.password) {
      throw new EgressRefusedError(
        'credentials_in_url',
        'The sink URL may not carry a user name or password; use the sink secret or token',
      );
    }
    this.checkHost(url.hostname);
    url.hash = '';
    return url;
  }

  /**
   * A host as a syslog sink names it, or a URL's hostname: a host name, or an IP literal that is not
   * refused. IPv4 in the shortened, octal or hex forms that resolvers accept (`0177.1`, `2130706433`)
   * is read as the address it is. Returns the host as it will be connected to.
   */
  checkHost(host: string): string {
    const trimmed = host.trim();
    const invalid = () =>
      new EgressRefusedError('host_invalid', `${JSON.stringify(trimmed)} is not a host name or IP address`);
    // No port, path, credentials, zone id or white space: only a host.
    if (trimmed === '' || /[\s/\\@?#%]/.test(trimmed)) throw invalid();
    if (trimmed.includes(':')) {
      const literal = parseIpLiteral(trimmed);
      if (!literal || literal.kind() !== 'ipv6') throw invalid();
      this.checkAddress(literal);
      return literal.toString();
    }
    // The WHATWG host parser lower-cases, applies IDNA and reads every IPv4 notation as its address.
    const parsed = URL.canParse(`http://${trimmed}`) ? new URL(`http://${trimmed}`).hostname : '';
    const literal = parseIpLiteral(parsed);
    if (literal) {
      this.checkAddress(literal);
      return literal.toString();
    }
    if (!isHostName(parsed)) throw invalid();
    return parsed;
  }

  /** Refuses an address in a special-purpose range that the operator has not allowed. */
  checkAddress(address: IpAddress | string, hostname?: string): void {
    const parsed = typeof address === 'string' ? parseIpLiteral(address) : address;
    if (!parsed) throw new EgressRefusedError('host_invalid', `${JSON.stringify(address)} is not an IP address`);
    const refusal = this.refusalOf(parsed, hostname);
    if (refusal) throw refusal;
  }

  /**
   * Resolves a host name (or takes an IP literal) and returns the addresses a sink may connect to;
   * refuses when there are none. Resolver errors (ENOTFOUND, a timeout) pass through unchanged: a DNS
   * outage is worth retrying, a refusal is not.
   */
  async resolveAllowed(hostname: string, family: 0 | 4 | 6 = 0): Promise<LookupAddress[]> {
    const literal = parseIpLiteral(hostname);
    if (literal) {
      this.checkAddress(literal);
      return [{ address: literal.toString(), family: literal.kind() === 'ipv4' ? 4 : 6 }];
    }
    const resolved = await this.resolver(hostname, family);
    if (this.allow.allowsHostName(hostname)) return resolved;
    const refusals: EgressRefusedError[] = [];
    const allowed = resolved.filter(({ address }) => {
      const parsed = parseIpLiteral(address);
      const refusal = parsed ? this.refusalOf(parsed, hostname) : undefined;
      if (refusal) refusals.push(refusal);
      return parsed !== undefined && refusal === undefined;
    });
    if (allowed.length > 0) return allowed;
    if (refusals[0]) throw refusals[0];
    throw Object.assign(new Error(`${hostname} resolved to no address`), { code: 'ENOTFOUND' });
  }

  /** Save-time check with DNS: `checkSinkUrl`, then the host name must resolve to an allowed address. */
  async vetSinkUrl(raw: string | URL): Promise<URL> {
    const url = this.checkSinkUrl(raw);
    await this.resolveAllowed(url.hostname);
    return url;
  }

  /** The `lookup` option of net/tls/http(s) connections: resolves through the guard. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const family = familyOf(options);
    this.resolveAllowed(hostname, family).then(
      (addresses) => {
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : '', undefined),
    );
  };

  private refusalOf(address: IpAddress, hostname?: string): EgressRefusedError | undefined {
    const special = specialRangeOf(address);
    if (!special || this.allow.allowsAddress(address)) return undefined;
    const shown = address.kind() === 'ipv6' ? `[${address.toString()}]` : address.toString();
    const what = special.via ? `${shown} (${special.via})` : shown;
    const kind = `${/^[aeiou]/.test(special.range) ? 'an' : 'a'} ${special.range} address`;
    const fact = hostname ? `${hostname} resolves to ${what}, ${kind}` : `${what} is ${kind}`;
    return new EgressRefusedError('address_not_allowed', `${fact}; audit sinks may not connect to it ${OVERRIDE}`);
  }
}

function familyOf(options: LookupOptions): 0 | 4 | 6 {
  const family = options.family;
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

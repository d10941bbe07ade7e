import { describe, expect, it } from '@jest/globals';
import type { LookupAddress } from 'node:dns';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { EgressAllowList } from '../../src/audit/stream/egress/egress-allow-list.js';
import { EgressGuard, type HostResolver } from '../../src/audit/stream/egress/egress-guard.js';
import { EgressRefusedError } from '../../src/audit/stream/egress/egress-refused.error.js';

const guard = new EgressGuard();

function refusalOf(run: () => unknown): EgressRefusedError {
  try {
    run();
  } catch (error) {
    if (error instanceof EgressRefusedError) return error;
    throw error;
  }
  throw new Error('expected the egress guard to refuse');
}

async function asyncRefusalOf(run: () => Promise<unknown>): Promise<EgressRefusedError> {
  const error = await run().then(
    () => new Error('expected the egress guard to refuse'),
    (e: unknown) => e,
  );
  if (error instanceof EgressRefusedError) return error;
  throw error;
}

/** A DNS of our own: names (in any case, with or without the root dot) map to addresses, others are not found. */
function resolverOf(records: Record<string, string[]>): HostResolver {
  return async (hostname, family) => {
    const addresses = records[hostname.toLowerCase().replace(/\.$/, '')];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses
      .map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }))
      .filter((entry) => family === 0 || entry.family === family);
  };
}

describe('EgressGuard: sink URLs with an IP literal', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://127.255.255.254/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['http://[fd00:ec2::254]/', 'cloud metadata'],
    ['http://169.254.170.2/v2/credentials', 'cloud metadata'],
    ['http://168.63.129.16/', 'cloud metadata'],
    ['http://100.100.100.200/', 'cloud metadata'],
    ['http://[::ffff:169.254.169.254]/', 'cloud metadata'],
    ['http://169.254.10.20/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://10.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://172.31.255.255/', 'private'],
    ['http://192.168.1.10/', 'private'],
    ['http://[::ffff:10.0.0.1]/', 'private'],
    ['http://[fc00::1]/', 'private'],
    ['http://[fd12:3456:789a::1]/', 'private'],
    ['http://[fec0::1]/', 'private'],
    ['http://[64:ff9b:1::a00:1]/', 'private'],
    ['http://100.64.0.1/', 'shared (carrier-grade NAT)'],
    ['http://100.127.255.255/', 'shared (carrier-grade NAT)'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://255.255.255.255/', 'reserved'],
    ['http://240.0.0.1/', 'reserved'],
    ['http://192.0.0.192/', 'reserved'],
    ['http://[2002:7f00:1::1]/', 'reserved'],
    ['http://[2001::1]/', 'reserved'],
    ['http://[::127.0.0.1]/', 'reserved'],
    ['http://[100::1]/', 'reserved'],
    ['http://192.0.2.1/', 'documentation'],
    ['http://[2001:db8::1]/', 'documentation'],
    ['http://198.18.0.1/', 'benchmarking'],
  ])('refuses %s as %s', (url, range) => {
    const refusal = refusalOf(() => guard.checkSinkUrl(url));
    expect(refusal.reason).toBe('address_not_allowed');
    expect(refusal.message).toContain(` ${range} address`);
    expect(refusal.message).toContain('AUDIT_STREAM_EGRESS_ALLOW');
  });

  it.each([
    ['the NAT64 form of the metadata address', 'http://[64:ff9b::a9fe:a9fe]/', 'cloud metadata'],
    ['the NAT64 form of loopback', 'http://[64:ff9b::127.0.0.1]/', 'loopback'],
  ])('refuses %s, which a translator would turn into that IPv4 address', (_case, url, range) => {
    const refusal = refusalOf(() => guard.checkSinkUrl(url));
    expect(refusal.message).toContain(` ${range} address`);
  });

  // The URL parser reads these as 127.0.0.1 (as getaddrinfo would): the guard judges what is connected to.
  it.each(['http://127.1/', 'http://2130706433/', 'http://0x7f.0.0.1/', 'http://0177.0.0.1/', 'http://0x7f000001/'])(
    'refuses %s, a spelling of 127.0.0.1',
    (url) => {
      expect(refusalOf(() => guard.checkSinkUrl(url)).message).toMatch(/^127\.0\.0\.1 is a loopback address/);
    },
  );

  it('says which IPv4 address an IPv4-mapped address was judged as', () => {
    expect(refusalOf(() => guard.checkSinkUrl('http://[::ffff:127.0.0.1]/')).message).toMatch(
      /^\[::ffff:7f00:1\] \(127\.0\.0\.1\) is a loopback address/,
    );
  });

  it.each([
    'https://93.184.215.14/hook',
    'https://8.8.8.8/',
    'https://[2606:4700:4700::1111]/',
    'https://172.32.0.1/',
    'https://100.128.0.1/',
    'https://169.253.255.255/',
    'https://192.169.0.1/',
    'https://[64:ff9b::808:808]/',
    'https://siem.example.com:8088/services/collector',
  ])('accepts %s', (url) => {
    expect(guard.checkSinkUrl(url).href).toBe(new URL(url).href);
  });
});

describe('EgressGuard: the shape of a sink URL', () => {
  it('takes http and https outside production', () => {
    expect(guard.checkSinkUrl('http://siem.example.com/hook').protocol).toBe('http:');
    expect(guard.checkSinkUrl('https://siem.example.com/hook').protocol).toBe('https:');
  });

  it('takes only https in production', () => {
    const production = new EgressGuard({ requireTls: true });
    const refusal = refusalOf(() => production.checkSinkUrl('http://siem.example.com/hook'));
    expect(refusal.reason).toBe('scheme_not_allowed');
    expect(refusal.message).toContain('https');
    expect(production.checkSinkUrl('https://siem.example.com/hook').href).toBe('https://siem.example.com/hook');
  });

  it.each(['ftp://siem.example.com/', 'file:///etc/passwd', 'gopher://siem.example.com/', 'javascript:alert(1)'])(
    'refuses the scheme of %s',
    (url) => {
      expect(refusalOf(() => guard.checkSinkUrl(url)).reason).toBe('scheme_not_allowed');
    },
  );

  it('refuses credentials in the URL without repeating them', () => {
    for (const url of [
      'https://admin:hunter2secret@siem.example.com/',
      'https://tokenhunter2secret@siem.example.com/',
    ]) {
      const refusal = refusalOf(() => guard.checkSinkUrl(url));
      expect(refusal.reason).toBe('credentials_in_url');
      expect(refusal.message).not.toContain('hunter2secret');
    }
  });

  it.each(['not a url', 'https://', '//siem.example.com/', 'https://exa mple.com/'])('refuses %j as no URL', (url) => {
    expect(refusalOf(() => guard.checkSinkUrl(url)).reason).toBe('url_invalid');
  });

  it.each(['https://a..b/', 'https://-bad.example/', 'https://exa$mple.com/', `https://${'a'.repeat(64)}.example/`])(
    'refuses the host of %s',
    (url) => {
      expect(refusalOf(() => guard.checkSinkUrl(url)).reason).toBe('host_invalid');
    },
  );

  it('drops the fragment, keeps path and query', () => {
    expect(guard.checkSinkUrl('https://siem.example.com/in?x=1#frag').href).toBe('https://siem.example.com/in?x=1');
  });

  it('becomes a 400 validation_failed naming the field and the rule', () => {
    const error = refusalOf(() => guard.checkSinkUrl('http://169.254.169.254/')).toValidationError('url');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.extra.errors).toEqual([{ field: 'url', message: expect.stringContaining('(address_not_allowed)') }]);
  });
});

describe('EgressGuard: hosts (syslog)', () => {
  it.each([
    ['siem.example.com', 'siem.example.com'],
    ['SIEM.Example.COM.', 'siem.example.com.'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['8.8.8.8', '8.8.8.8'],
    ['2606:4700:4700::1111', '2606:4700:4700::1111'],
    ['[2606:4700:4700::1111]', '2606:4700:4700::1111'],
  ])('takes %j as %j', (host, expected) => {
    expect(guard.checkHost(host)).toBe(expected);
  });

  it.each(['127.0.0.1', '0177.0.0.1', '127.1', '2130706433', '0x7f.1', '::1', '[::1]', '::ffff:127.0.0.1'])(
    'refuses %j as loopback',
    (host) => {
      const refusal = refusalOf(() => guard.checkHost(host));
      expect([refusal.reason, refusal.message]).toEqual(['address_not_allowed', expect.stringContaining('loopback')]);
    },
  );

  it.each(['', 'siem.example.com:6514', 'user@siem.example.com', 'siem.example.com/x', 'fe80::1%eth0', 'a b', 'a..b'])(
    'refuses %j as no host',
    (host) => {
      expect(refusalOf(() => guard.checkHost(host)).reason).toBe('host_invalid');
    },
  );
});

describe('EgressGuard: the operator allow-list', () => {
  const allowing = (entries: string) => new EgressGuard({ allow: EgressAllowList.parse(entries) });

  it('lets an allowed block through, in every spelling of its addresses', () => {
    const allowed = allowing('127.0.0.0/8, 10.20.0.0/16');
    for (const url of ['http://127.0.0.1:9/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/', 'http://10.20.3.4/']) {
      expect(allowed.checkSinkUrl(url).href).toBe(new URL(url).href);
    }
    expect(refusalOf(() => allowed.checkSinkUrl('http://10.21.0.1/')).reason).toBe('address_not_allowed');
    expect(refusalOf(() => allowed.checkSinkUrl('http://[::1]/')).reason).toBe('address_not_allowed');
    expect(refusalOf(() => allowed.checkSinkUrl('http://169.254.169.254/')).reason).toBe('address_not_allowed');
  });

  it('takes single addresses and IPv6 blocks', () => {
    const allowed = allowing('::1,fd00:1234::/32,192.168.1.5');
    expect(allowed.checkHost('::1')).toBe('::1');
    expect(allowed.checkHost('fd00:1234:5::9')).toBe('fd00:1234:5::9');
    expect(allowed.checkHost('192.168.1.5')).toBe('192.168.1.5');
    expect(refusalOf(() => allowed.checkHost('192.168.1.6')).reason).toBe('address_not_allowed');
  });

  it.each([
    ['a bad prefix', '10.0.0.0/33'],
    ['two prefixes', '10.0.0.0/8/8'],
    ['a shortened IPv4 address', '10.1'],
    ['a bracketed address', '[::1]'],
    ['a host with a port', 'siem.corp:6514'],
    ['a wildcard without a domain', '*.'],
    ['a wildcard in the middle', 'siem.*.corp'],
  ])('refuses %s', (_case, entry) => {
    expect(() => EgressAllowList.parse(entry)).toThrow(TypeError);
  });
});

describe('EgressGuard: names resolved at connect time', () => {
  const records = {
    'siem.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'internal.example.com': ['10.0.0.5'],
    'rebound.example.com': ['169.254.169.254'],
    'mixed.example.com': ['10.0.0.5', '93.184.215.14', '::1'],
    'mapped.example.com': ['::ffff:127.0.0.1'],
    'siem.corp.example': ['10.1.2.3'],
  };
  const dns = resolverOf(records);
  const guarded = new EgressGuard({ resolve: dns });

  it('passes the addresses of a public name through', async () => {
    expect(await guarded.resolveAllowed('siem.example.com')).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
  });

  it.each([
    ['internal.example.com', 'internal.example.com resolves to 10.0.0.5, a private address'],
    ['rebound.example.com', 'rebound.example.com resolves to 169.254.169.254, a cloud metadata address'],
    ['mapped.example.com', 'mapped.example.com resolves to [::ffff:7f00:1] (127.0.0.1), a loopback address'],
  ])('refuses %s', async (name, message) => {
    const refusal = await asyncRefusalOf(() => guarded.resolveAllowed(name));
    expect(refusal.reason).toBe('address_not_allowed');
    expect(refusal.message.startsWith(message)).toBe(true);
  });

  it('keeps only the allowed addresses of a name that has both kinds', async () => {
    expect(await guarded.resolveAllowed('mixed.example.com')).toEqual([{ address: '93.184.215.14', family: 4 }]);
  });

  it('lets DNS failures through unchanged: they are worth retrying, a refusal is not', async () => {
    const error = await guarded.resolveAllowed('nowhere.example.com').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(EgressRefusedError);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });

  it('lets an allow-listed host name, or a name under an allowed domain, reach its private addresses', async () => {
    const exact = new EgressGuard({ resolve: dns, allow: EgressAllowList.parse('siem.corp.example') });
    expect(await exact.resolveAllowed('siem.corp.example')).toEqual([{ address: '10.1.2.3', family: 4 }]);
    expect(await exact.resolveAllowed('SIEM.corp.example.')).toEqual([{ address: '10.1.2.3', family: 4 }]);
    await expect(exact.resolveAllowed('internal.example.com')).rejects.toThrow(EgressRefusedError);
    const domain = new EgressGuard({ resolve: dns, allow: EgressAllowList.parse('*.corp.example') });
    expect(await domain.resolveAllowed('siem.corp.example')).toEqual([{ address: '10.1.2.3', family: 4 }]);
    const other = new EgressGuard({ resolve: dns, allow: EgressAllowList.parse('*.example.org,corp.example') });
    await expect(other.resolveAllowed('siem.corp.example')).rejects.toThrow(EgressRefusedError);
  });

  it('lets a name through to an address in an allowed block', async () => {
    const allowed = new EgressGuard({ resolve: dns, allow: EgressAllowList.parse('10.0.0.0/24') });
    expect(await allowed.resolveAllowed('internal.example.com')).toEqual([{ address: '10.0.0.5', family: 4 }]);
  });

  it('answers node:net lookups for one address and for all of them, in the family asked for', async () => {
    const lookup = (hostname: string, options: { all?: boolean; family?: number }) =>
      new Promise((resolve, reject) =>
        guarded.lookup(hostname, options, (error, address, family) =>
          error ? reject(error) : resolve({ address, family }),
        ),
      );
    expect(await lookup('siem.example.com', {})).toEqual({ address: '93.184.215.14', family: 4 });
    expect(await lookup('siem.example.com', { family: 6 })).toEqual({
      address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c',
      family: 6,
    });
    expect(await lookup('siem.example.com', { all: true })).toEqual({
      address: [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ],
      family: undefined,
    });
    await expect(lookup('internal.example.com', { all: true })).rejects.toThrow(EgressRefusedError);
  });

  it('checks the resolved addresses when a sink is saved', async () => {
    expect((await guarded.vetSinkUrl('https://siem.example.com/hook')).hostname).toBe('siem.example.com');
    expect((await asyncRefusalOf(() => guarded.vetSinkUrl('https://rebound.example.com/'))).reason).toBe(
      'address_not_allowed',
    );
  });

  it('refuses localhost through the system resolver, unless loopback is allowed', async () => {
    const system = new EgressGuard();
    expect((await asyncRefusalOf(() => system.resolveAllowed('localhost'))).message).toContain('loopback');
    const allowed = new EgressGuard({ allow: EgressAllowList.parse('127.0.0.0/8,::1') });
    const addresses = await allowed.resolveAllowed('localhost');
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.every(({ address }) => address === '127.0.0.1' || address === '::1')).toBe(true);
  });
});

describe('EgressGuard.fromEnv', () => {
  it('allows what AUDIT_STREAM_EGRESS_ALLOW lists and asks for TLS in production only', () => {
    const production = EgressGuard.fromEnv({ NODE_ENV: 'production', AUDIT_STREAM_EGRESS_ALLOW: ['10.20.0.0/16'] });
    expect(production.requireTls).toBe(true);
    expect(production.checkSinkUrl('https://10.20.1.2/').hostname).toBe('10.20.1.2');
    expect(refusalOf(() => production.checkSinkUrl('https://10.21.1.2/')).reason).toBe('address_not_allowed');
    expect(refusalOf(() => production.checkTransportSecurity(false)).reason).toBe('scheme_not_allowed');
    expect(() => production.checkTransportSecurity(true)).not.toThrow();
    const development = EgressGuard.fromEnv({ NODE_ENV: 'development', AUDIT_STREAM_EGRESS_ALLOW: [] });
    expect(development.requireTls).toBe(false);
    expect(() => development.checkTransportSecurity(false)).not.toThrow();
    expect(refusalOf(() => development.checkSinkUrl('http://10.20.1.2/')).reason).toBe('address_not_allowed');
  });
});

import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError, ENV_NAMES, envSchema, loadEnv, webauthnSettingsOf } from '../../config/index.js';

const key32 = () => randomBytes(32).toString('base64');

/** A production environment with everything production requires. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://stepguard:pw@db:5432/stepguard',
  REDIS_URL: 'redis://redis:6379',
  STEPGUARD_ENCRYPTION_KEYS: `k1:${key32()}`,
  STEPGUARD_AUDIT_SIGNING_KEY: `a1:${key32()}`,
  STEPGUARD_OPERATOR_TOKEN: 'o'.repeat(40),
};

function failureOf(env: Record<string, string>): ConfigError {
  try {
    loadEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadEnv accepted ${JSON.stringify(env)}`);
}

describe('loadEnv', () => {
  it('accepts an empty environment and fills in the defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      HOST: '0.0.0.0',
      PORT: 3000,
      LOG_LEVEL: 'info',
      STEPGUARD_WORKERS_IN_PROCESS: true,
      DATABASE_POOL_MAX: 10,
      REDIS_KEY_PREFIX: 'stepguard',
      SESSION_IDLE_TIMEOUT_MINUTES: 60,
      SESSION_ABSOLUTE_TIMEOUT_MINUTES: 720,
      HTTP_BODY_LIMIT_BYTES: 102_400,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.STEPGUARD_ENCRYPTION_KEYS).toBeUndefined();
  });

  it('treats an empty value as unset', () => {
    const env = loadEnv({ PORT: '', DATABASE_URL: '' });
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('coerces numbers and booleans', () => {
    expect(loadEnv({ PORT: '8080', STEPGUARD_WORKERS_IN_PROCESS: 'false' })).toMatchObject({
      PORT: 8080,
      STEPGUARD_WORKERS_IN_PROCESS: false,
    });
    expect(loadEnv({ STEPGUARD_WORKERS_IN_PROCESS: '0' }).STEPGUARD_WORKERS_IN_PROCESS).toBe(false);
    expect(loadEnv({ STEPGUARD_WORKERS_IN_PROCESS: '1' }).STEPGUARD_WORKERS_IN_PROCESS).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'verbose'],
    ['STEPGUARD_WORKERS_IN_PROCESS', 'yes'],
    ['DATABASE_URL', 'mysql://user@db/stepguard'],
    ['DATABASE_POOL_MAX', '0'],
    ['REDIS_URL', 'http://redis:6379'],
    ['SMTP_URL', 'not a url'],
    ['STEPGUARD_OPERATOR_TOKEN', 'too-short'],
    ['STEPGUARD_BOOTSTRAP_TENANT', 'Has Spaces'],
    ['STEPGUARD_BOOTSTRAP_ADMIN_EMAIL', 'nobody'],
    ['SESSION_IDLE_TIMEOUT_MINUTES', '-5'],
    ['HTTP_BODY_LIMIT_BYTES', '10'],
  ])('refuses %s=%j with one line that starts with the variable name', (name, value) => {
    const error = failureOf({ [name]: value });
    expect(error.message.startsWith(`${name}: `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('refuses an idle timeout longer than the absolute timeout', () => {
    const error = failureOf({ SESSION_IDLE_TIMEOUT_MINUTES: '120', SESSION_ABSOLUTE_TIMEOUT_MINUTES: '60' });
    expect(error.message).toMatch(/^SESSION_IDLE_TIMEOUT_MINUTES: /);
  });
});

describe('loadEnv in production', () => {
  it('accepts production with the database, Redis, encryption keys and operator token set', () => {
    expect(loadEnv(PRODUCTION).NODE_ENV).toBe('production');
  });

  it.each([
    'DATABASE_URL',
    'STEPGUARD_ENCRYPTION_KEYS',
    'STEPGUARD_AUDIT_SIGNING_KEY',
    'STEPGUARD_OPERATOR_TOKEN',
  ] as const)('refuses production without %s', (name) => {
    const { [name]: _removed, ...rest } = PRODUCTION;
    expect(failureOf(rest).message).toBe(`${name}: is required when NODE_ENV=production`);
  });

  it('refuses production without Redis, and takes REDIS_SENTINELS in place of REDIS_URL', () => {
    const { REDIS_URL: _removed, ...rest } = PRODUCTION;
    expect(failureOf(rest).message).toBe(
      'REDIS_URL: is required when NODE_ENV=production, unless REDIS_SENTINELS is set',
    );
    expect(loadEnv({ ...rest, REDIS_SENTINELS: 's0:26379,s1:26379,s2:26379' }).REDIS_URL).toBeUndefined();
  });

  it('asks for nothing of the sort outside production', () => {
    expect(() => loadEnv({ NODE_ENV: 'development' })).not.toThrow();
  });
});

describe('Redis settings', () => {
  it('reads the sentinels as host:port pairs, IPv6 in brackets, and names the master set mymaster by default', () => {
    const env = loadEnv({ REDIS_SENTINELS: ' sentinel-0.redis:26379, 10.0.0.7:26380 ,[fd00::1]:26381' });
    expect(env.REDIS_SENTINELS).toEqual([
      { host: 'sentinel-0.redis', port: 26379 },
      { host: '10.0.0.7', port: 26380 },
      { host: 'fd00::1', port: 26381 },
    ]);
    expect(env.REDIS_SENTINEL_NAME).toBe('mymaster');
    expect(env.REDIS_TLS).toBe(false);
  });

  it.each([
    ['a host without a port', 'sentinel-0'],
    ['port 0', 'sentinel-0:0'],
    ['a port out of range', 'sentinel-0:70000'],
    ['a URL', 'redis://sentinel-0:26379'],
    ['an IPv6 address without brackets', 'fd00::1:26379'],
    ['brackets around a name', '[sentinel-0]:26379'],
    ['one address twice', 'sentinel-0:26379,sentinel-0:26379'],
    ['no address at all', ' , '],
  ])('refuses REDIS_SENTINELS with %s', (_case, value) => {
    const error = failureOf({ REDIS_SENTINELS: value });
    expect(error.message).toMatch(/^REDIS_SENTINELS: /);
    expect(error.message).not.toContain('\n');
  });

  it('refuses a master set name sentinel would not have', () => {
    expect(failureOf({ REDIS_SENTINEL_NAME: 'my master' }).message).toMatch(/^REDIS_SENTINEL_NAME: /);
  });

  it.each([
    [
      'both REDIS_URL and REDIS_SENTINELS',
      { REDIS_URL: 'redis://redis:6379', REDIS_SENTINELS: 's0:26379' },
      'REDIS_SENTINELS: set REDIS_URL or REDIS_SENTINELS, not both',
    ],
    [
      'a sentinel password without sentinels',
      { REDIS_URL: 'redis://redis:6379', REDIS_SENTINEL_PASSWORD: 'pw' },
      'REDIS_SENTINEL_PASSWORD: only applies with REDIS_SENTINELS',
    ],
    [
      'a password beside a URL that carries one',
      { REDIS_URL: 'redis://:pw@redis:6379', REDIS_PASSWORD: 'other' },
      'REDIS_PASSWORD: REDIS_URL carries credentials already; give them in one place',
    ],
    [
      'a user without a password',
      { REDIS_SENTINELS: 's0:26379', REDIS_USERNAME: 'stepguard' },
      'REDIS_USERNAME: needs REDIS_PASSWORD (an ACL user logs in with both)',
    ],
    [
      'a password for the local development Redis',
      { REDIS_PASSWORD: 'pw' },
      'REDIS_PASSWORD: only applies with REDIS_URL or REDIS_SENTINELS',
    ],
    [
      'TLS asked for beside a redis:// URL',
      { REDIS_URL: 'redis://redis:6379', REDIS_TLS: 'true' },
      'REDIS_TLS: REDIS_URL is redis:// (plain TCP); use a rediss:// URL for TLS',
    ],
    [
      'a CA file without TLS',
      { REDIS_SENTINELS: 's0:26379', REDIS_TLS_CA_FILE: '/etc/redis/ca.pem' },
      'REDIS_TLS_CA_FILE: only applies with TLS (REDIS_TLS=true, or a rediss:// REDIS_URL)',
    ],
  ])('refuses %s, in one line', (_case, env, message) => {
    expect(failureOf(env).message).toBe(message);
  });

  it.each([
    ['credentials apart from the URL', { REDIS_URL: 'redis://redis:6379', REDIS_USERNAME: 'u', REDIS_PASSWORD: 'p' }],
    ['a CA file for a rediss:// URL', { REDIS_URL: 'rediss://redis:6380', REDIS_TLS_CA_FILE: '/etc/redis/ca.pem' }],
    ['TLS stated twice', { REDIS_URL: 'rediss://redis:6380', REDIS_TLS: 'true' }],
    [
      'sentinels with every credential and TLS',
      {
        REDIS_SENTINELS: 's0:26379',
        REDIS_SENTINEL_NAME: 'stepguard',
        REDIS_SENTINEL_PASSWORD: 'sp',
        REDIS_USERNAME: 'u',
        REDIS_PASSWORD: 'p',
        REDIS_TLS: 'true',
        REDIS_TLS_CA_FILE: '/etc/redis/ca.pem',
      },
    ],
  ])('accepts %s', (_case, env) => {
    expect(() => loadEnv(env)).not.toThrow();
  });
});

describe('STEPGUARD_ENCRYPTION_KEYS', () => {
  it('parses id:base64 pairs in order, the last one being the key that encrypts', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const keys = loadEnv({
      STEPGUARD_ENCRYPTION_KEYS: ` old:${a.toString('base64')} , new_2:${b.toString('base64')}`,
    }).STEPGUARD_ENCRYPTION_KEYS!;
    expect(keys.map((k) => k.id)).toEqual(['old', 'new_2']);
    expect(keys[0]!.key.equals(a)).toBe(true);
    expect(keys[1]!.key.equals(b)).toBe(true);
  });

  it.each([
    ['a key that is not 32 bytes', `k1:${randomBytes(16).toString('base64')}`],
    ['a pair without a key', 'k1'],
    ['an id with odd characters', `k 1:${key32()}`],
    ['two keys with one id', `k1:${key32()},k1:${key32()}`],
  ])('refuses %s', (_case, value) => {
    expect(failureOf({ STEPGUARD_ENCRYPTION_KEYS: value }).message).toMatch(/^STEPGUARD_ENCRYPTION_KEYS: /);
  });
});

describe('STEPGUARD_AUDIT_SIGNING_KEY', () => {
  it('parses id:base64 Ed25519 keys in order, the last one being the key that signs', () => {
    const keys = loadEnv({
      STEPGUARD_AUDIT_SIGNING_KEY: ` old:${key32()} , new_2:${key32()}`,
    }).STEPGUARD_AUDIT_SIGNING_KEY!;
    expect(keys.map((k) => k.id)).toEqual(['old', 'new_2']);
    expect(keys.map((k) => k.privateKey.asymmetricKeyType)).toEqual(['ed25519', 'ed25519']);
  });

  it.each([
    ['a seed that is not 32 bytes', `k1:${randomBytes(16).toString('base64')}`],
    ['a pair without a key', 'k1'],
    ['an id with odd characters', `k 1:${key32()}`],
    ['two keys with one id', `k1:${key32()},k1:${key32()}`],
  ])('refuses %s, naming the variable and never the key', (_case, value) => {
    const error = failureOf({ STEPGUARD_AUDIT_SIGNING_KEY: value });
    expect(error.message).toMatch(/^STEPGUARD_AUDIT_SIGNING_KEY: /);
    expect(error.message).not.toContain(value.split(':')[1] ?? value);
  });

  it('checkpoints every 5 minutes unless told otherwise', () => {
    expect(loadEnv({}).AUDIT_CHECKPOINT_INTERVAL_MINUTES).toBe(5);
    expect(loadEnv({ AUDIT_CHECKPOINT_INTERVAL_MINUTES: '1' }).AUDIT_CHECKPOINT_INTERVAL_MINUTES).toBe(1);
    expect(failureOf({ AUDIT_CHECKPOINT_INTERVAL_MINUTES: '0' }).message).toMatch(
      /^AUDIT_CHECKPOINT_INTERVAL_MINUTES: /,
    );
  });
});

describe('TRUSTED_PROXY', () => {
  it.each([
    'loopback',
    'linklocal, uniquelocal',
    '10.0.0.1',
    '10.0.0.0/8, 192.168.1.0/24,loopback',
    '2001:db8::1',
    '2001:db8::/32',
    '::1/128',
    '::ffff:10.0.0.1',
  ])('accepts %j', (value) => {
    expect(loadEnv({ TRUSTED_PROXY: value }).TRUSTED_PROXY).toBe(value);
  });

  it.each([
    ['a hop count, which express would read as the address 0.0.0.1', '1'],
    ['true', 'true'],
    ['a host name', 'proxy.internal'],
    ['a misspelt range name', 'loopbak'],
    ['an address out of range', '10.0.0.256'],
    ['a prefix longer than the address', '10.0.0.0/33'],
    ['an IPv6 prefix longer than 128', '2001:db8::/129'],
    ['a zero prefix, which express refuses', '10.0.0.0/0'],
    ['a prefix that is not a number', '10.0.0.0/8a'],
    ['an empty prefix', '10.0.0.0/'],
    ['two prefixes', '10.0.0.0/8/8'],
    ['a bracketed IPv6 address', '[::1]'],
    ['one bad entry among good ones', 'loopback, 10.0.0.1, nope'],
  ])('stops start-up with one TRUSTED_PROXY line on %s', (_case, value) => {
    const error = failureOf({ TRUSTED_PROXY: value });
    expect(error.message).toMatch(/^TRUSTED_PROXY: /);
    expect(error.message).not.toContain('\n');
  });

  it('names the entry at fault', () => {
    expect(failureOf({ TRUSTED_PROXY: 'loopback, nope' }).message).toContain('"nope"');
  });
});

describe('AUDIT_STREAM_EGRESS_ALLOW', () => {
  it('is empty by default: sinks reach public addresses only', () => {
    expect(loadEnv({}).AUDIT_STREAM_EGRESS_ALLOW).toEqual([]);
  });

  it('reads addresses, CIDRs, host names and *.domain entries, comma-separated', () => {
    const value = ' 10.20.0.0/16, 192.168.1.5 ,fd12:3456::/48,siem.corp.example, *.corp.example,,';
    expect(loadEnv({ AUDIT_STREAM_EGRESS_ALLOW: value }).AUDIT_STREAM_EGRESS_ALLOW).toEqual([
      '10.20.0.0/16',
      '192.168.1.5',
      'fd12:3456::/48',
      'siem.corp.example',
      '*.corp.example',
    ]);
  });

  it.each([
    ['a prefix longer than the address', '10.0.0.0/33'],
    ['a shortened IPv4 address, which would not mean what it seems', '10.1'],
    ['a host with a port', 'siem.corp.example:8088'],
    ['a URL', 'https://siem.corp.example'],
    ['a wildcard without a domain', '*.'],
  ])('stops start-up with one line on %s, naming the entry', (_case, value) => {
    const error = failureOf({ AUDIT_STREAM_EGRESS_ALLOW: `10.0.0.0/8,${value}` });
    expect(error.message).toMatch(/^AUDIT_STREAM_EGRESS_ALLOW: /);
    expect(error.message).toContain(JSON.stringify(value));
    expect(error.message).not.toContain('\n');
  });
});

describe('STEPGUARD_OPERATOR_TOKEN', () => {
  it('accepts any token the bearer-token parser accepts, 32 to 512 characters long', () => {
    const token = 'Az09._~+/=-'.repeat(3);
    expect(loadEnv({ STEPGUARD_OPERATOR_TOKEN: token }).STEPGUARD_OPERATOR_TOKEN).toBe(token);
    expect(loadEnv({ STEPGUARD_OPERATOR_TOKEN: 'a'.repeat(512) }).STEPGUARD_OPERATOR_TOKEN).toHaveLength(512);
  });

  it.each([
    ['with a space', `${'a'.repeat(32)} b`],
    ['with a trailing newline (as read from a file)', `${'a'.repeat(32)}\n`],
    ['with a colon', `${'a'.repeat(32)}:`],
    ['with non-ASCII letters', 'é'.repeat(32)],
    ['longer than 512 characters', 'a'.repeat(513)],
  ])('refuses a token the bearer-token parser would never accept: %s', (_case, value) => {
    const error = failureOf({ STEPGUARD_OPERATOR_TOKEN: value });
    expect(error.message).toMatch(/^STEPGUARD_OPERATOR_TOKEN: /);
    expect(error.message).not.toContain(value.trim());
  });
});

describe('TRUSTED_PROXY_LOCATION_HEADER', () => {
  it.each(['cf-ipcity', 'x-client-location', 'x_geo.city'])('accepts %j', (value) => {
    expect(loadEnv({ TRUSTED_PROXY_LOCATION_HEADER: value }).TRUSTED_PROXY_LOCATION_HEADER).toBe(value);
  });

  it.each(['CF-IPCity', 'x client location', 'x-location:', 'x-city\n', 'ünicode'])('refuses %j', (value) => {
    expect(failureOf({ TRUSTED_PROXY_LOCATION_HEADER: value }).message).toMatch(/^TRUSTED_PROXY_LOCATION_HEADER: /);
  });
});

describe('WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS', () => {
  const settingsOf = (env: Record<string, string>) => webauthnSettingsOf(loadEnv(env)).settings;

  it("defaults to PUBLIC_URL's host and origin", () => {
    expect(settingsOf({})).toEqual({ rpId: 'localhost', origins: ['http://localhost:3000'] });
    expect(settingsOf({ PUBLIC_URL: 'https://login.acme.example/base' })).toEqual({
      rpId: 'login.acme.example',
      origins: ['https://login.acme.example'],
    });
  });

  it('takes a parent domain and several origins on it', () => {
    const env = {
      WEBAUTHN_RP_ID: 'acme.example',
      WEBAUTHN_ORIGINS: 'https://login.acme.example, https://acme.example:8443',
    };
    expect(settingsOf(env)).toEqual({
      rpId: 'acme.example',
      origins: ['https://login.acme.example', 'https://acme.example:8443'],
    });
  });

  it.each([
    [{ WEBAUTHN_RP_ID: '10.0.0.1' }, /^WEBAUTHN_RP_ID: .*IP address/],
    [{ WEBAUTHN_RP_ID: 'https://acme.example' }, /^WEBAUTHN_RP_ID: .*domain name/],
    [
      { WEBAUTHN_RP_ID: 'acme.example', WEBAUTHN_ORIGINS: 'https://evil.example' },
      /^WEBAUTHN_ORIGINS: .*not on acme.example/,
    ],
    [{ WEBAUTHN_RP_ID: 'acme.example', WEBAUTHN_ORIGINS: 'http://login.acme.example' }, /^WEBAUTHN_ORIGINS: .*https/],
    [
      { WEBAUTHN_RP_ID: 'acme.example', WEBAUTHN_ORIGINS: 'https://acme.example/login' },
      /^WEBAUTHN_ORIGINS: .*without a path/,
    ],
    [{ WEBAUTHN_ORIGINS: 'not a url' }, /^WEBAUTHN_ORIGINS: .*not an origin/],
  ])('refuses at start-up an explicit setting that cannot work: %j', (env, message) => {
    expect(failureOf(env).message).toMatch(message);
  });

  it('leaves passkeys off, with the reason, when only the default cannot work', () => {
    expect(settingsOf({ PUBLIC_URL: 'http://10.0.0.5:3000' })).toEqual({
      unavailable: expect.stringMatching(/IP address.*WEBAUTHN_RP_ID/),
    });
    expect(settingsOf({ PUBLIC_URL: 'http://login.acme.example' })).toEqual({
      unavailable: expect.stringMatching(/https/),
    });
  });
});

describe('config/env.example', () => {
  const example = parseEnv(readFileSync(new URL('../../config/env.example', import.meta.url), 'utf8'));

  it('lists exactly the variables of the schema', () => {
    expect(Object.keys(example).sort()).toEqual([...ENV_NAMES].sort());
    expect(ENV_NAMES).toEqual(Object.keys(envSchema.shape));
  });

  it("gives each variable the schema's default", () => {
    expect(loadEnv(example)).toEqual(loadEnv({}));
  });
});

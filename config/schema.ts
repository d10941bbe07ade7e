import { createPrivateKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { egressAllowEntryProblem } from '../src/audit/stream/egress/egress-allow-list.js';
import { sentinelAddresses } from './redis-settings.js';

const minutes = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine(
      (v) => URL.canParse(v) && protocols.includes(new URL(v).protocol),
      `must be a ${protocols.join(' or ')} URL`,
    );

/**
 * A key list setting, `kid:base64,kid:base64`: each key id of 1-32 of `A-Za-z0-9_-`, unique, and each key
 * read by `read` (undefined when the bytes are no such key). The last one is the one in use.
 */
const keyList = <K>(read: (bytes: Buffer) => K | undefined, what: string) =>
  z
    .string()
    .transform((raw, ctx) => {
      const keys = raw
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => {
          const [id, b64] = part.split(':');
          return { id: id ?? '', key: read(Buffer.from(b64 ?? '', 'base64')) };
        });
      if (keys.length === 0 || keys.some((k) => !/^[A-Za-z0-9_-]{1,32}$/.test(k.id) || k.key === undefined)) {
        ctx.addIssue({ code: 'custom', message: `must be a list of id:base64 pairs, each ${what}` });
        return z.NEVER;
      }
      if (new Set(keys.map((k) => k.id)).size !== keys.length) {
        ctx.addIssue({ code: 'custom', message: 'key ids must be unique' });
        return z.NEVER;
      }
      return keys.map(({ id, key }) => ({ id, key: key! }));
    })
    .optional();

/** Encryption keys: each 32 bytes; the last one encrypts. */
const encryptionKeys = keyList((bytes) => (bytes.length === 32 ? bytes : undefined), 'key 32 bytes');

/** The DER header of an Ed25519 private key in PKCS #8 (RFC 8410), before its 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** One key's base64: a 32-byte Ed25519 seed, or a PKCS #8 DER key (`openssl genpkey -algorithm ed25519 -outform DER`). */
function ed25519PrivateKey(bytes: Buffer): KeyObject | undefined {
  const der = bytes.length === 32 ? Buffer.concat([ED25519_PKCS8_PREFIX, bytes]) : bytes;
  try {
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Audit checkpoint signing keys, each an Ed25519 key; the last one signs, every one stays published so that
 * checkpoints signed before a rotation still verify.
 */
const auditSigningKeys = keyList(ed25519PrivateKey, 'an Ed25519 key (a 32-byte seed or PKCS #8 DER)').transform(
  (keys) => keys?.map(({ id, key }) => ({ id, privateKey: key })),
);

/** express's (proxy-addr's) names for address ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, or a CIDR whose prefix proxy-addr accepts (1-32 for IPv4, 1-128 for IPv6). */
function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Checked here rather than left to express: proxy-addr would crash at start-up with a stack trace on
 * some typos, and silently read others (`1` as the address 0.0.0.1) as a proxy nobody meant to trust.
 */
const trustedProxies = z
  .string()
  .superRefine((raw, ctx) => {
    const entries = raw.split(',').map((entry) => entry.trim());
    const bad = entries.filter(Boolean).find((entry) => !isProxyEntry(entry));
    if (bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(bad)} is not an IP address, a CIDR (address/prefix) or one of ${PROXY_RANGE_NAMES.join(', ')}`,
      });
    }
  })
  .default('');

/**
 * What audit sinks may reach although it is private, loopback, link-local or otherwise special: the
 * entries (IP addresses, CIDRs, host names, `*.domain`), checked by the parser the egress guard uses.
 */
const egressAllowList = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const entries = raw
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const problem = entries.map(egressAllowEntryProblem).find((found) => found !== undefined);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return entries;
  });

/** What the bearer-token parser of the authentication guard accepts: any other token could never match. */
const operatorToken = z
  .string()
  .min(32, 'must be at least 32 characters')
  .max(512, 'must be at most 512 characters')
  .regex(/^[A-Za-z0-9._~+/=-]+$/, 'must use only the characters A-Z a-z 0-9 . _ ~ + / = -');

/** An RFC 9110 field name, lower-case as Node presents incoming headers. */
const headerName = z
  .string()
  .regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a lower-case HTTP header name, e.g. cf-ipcity')
  .default('');

/**
 * Every setting Stepguard reads, as environment variables. The table in docs/configuration.md is
 * checked against this object by a test, and so is docker-compose.yml.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STEPGUARD_DATA_DIR: z.string().min(1).default('.stepguard'),
  STEPGUARD_WORKERS_IN_PROCESS: bool(true),
  STEPGUARD_MIGRATE_ON_START: bool(true),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z.string().min(1).default('stepguard'),
  REDIS_SENTINELS: sentinelAddresses.optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 . _ - (the name in `sentinel monitor <name> …`)')
    .default('mymaster'),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_TLS: bool(false),
  REDIS_TLS_CA_FILE: z.string().min(1).optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('Stepguard <no-reply@stepguard.local>'),
  STEPGUARD_OPERATOR_TOKEN: operatorToken.optional(),
  STEPGUARD_ENCRYPTION_KEYS: encryptionKeys,
  STEPGUARD_AUDIT_SIGNING_KEY: auditSigningKeys,
  STEPGUARD_BOOTSTRAP_TENANT: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/)
    .default('default'),
  STEPGUARD_BOOTSTRAP_ADMIN_EMAIL: z.string().email().default('admin@stepguard.local'),
  SESSION_IDLE_TIMEOUT_MINUTES: minutes(60),
  SESSION_ABSOLUTE_TIMEOUT_MINUTES: minutes(12 * 60),
  SESSION_CLEANUP_INTERVAL_MINUTES: minutes(15),
  MFA_CLEANUP_INTERVAL_MINUTES: minutes(60),
  GRACE_SWEEP_INTERVAL_MINUTES: minutes(15),
  AUDIT_CHECKPOINT_INTERVAL_MINUTES: minutes(5),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
  AUDIT_RETENTION_INTERVAL_MINUTES: minutes(24 * 60),
  MFA_REMINDER_DAYS: z
    .string()
    .regex(/^(\d{1,2})(,\d{1,2})*$/, 'must be whole days before the deadline, comma-separated (e.g. 7,1)')
    .default('7,1')
    .transform((days) => [...new Set(days.split(',').map(Number))].sort((a, b) => b - a)),
  REAUTH_MAX_AGE_MINUTES: minutes(10),
  TOTP_WINDOW_STEPS: z.coerce.number().int().min(0).max(3).default(1),
  SESSION_CLEANUP_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
  GRACE_SWEEP_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(5000),
  TRUSTED_PROXY: trustedProxies,
  TRUSTED_PROXY_LOCATION_HEADER: headerName,
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  LOGIN_MAX_ATTEMPTS_PER_IP: z.coerce.number().int().positive().default(100),
  LOGIN_RATE_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  LOGIN_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  LOGIN_KNOWN_NETWORK_DAYS: z.coerce.number().int().min(0).max(365).default(90),
  HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(102_400),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(15),
  SOCKET_KICK_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  SOCKET_RECHECK_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  AUDIT_STREAM_TICK_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  AUDIT_STREAM_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
  AUDIT_STREAM_PAUSE_AFTER_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  JOB_LOCK_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  AUDIT_STREAM_EGRESS_ALLOW: egressAllowList,
  WEBAUTHN_RP_ID: z.string().trim().toLowerCase().min(1).optional(),
  WEBAUTHN_ORIGINS: z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .refine((origins) => origins.length > 0, 'must list at least one origin')
    .optional(),
});

export type Env = z.infer<typeof envSchema>;
export const ENV_NAMES = Object.keys(envSchema.shape) as (keyof Env)[];

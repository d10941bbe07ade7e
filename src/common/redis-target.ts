import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, type Env, type SentinelAddress } from '../../config/index.js';

/** How to log in to the data nodes, and the TLS options (verification on) when TLS is on. */
interface RedisAccess {
  username?: string;
  password?: string;
  tls?: ConnectionOptions;
}

/** One Redis at a URL (`redis://`, or `rediss://` for TLS). */
export interface RedisUrlTarget extends RedisAccess {
  kind: 'url';
  url: string;
}

/** The master of a Sentinel-monitored set, asked of the sentinels at every (re)connection. */
export interface RedisSentinelTarget extends RedisAccess {
  kind: 'sentinel';
  sentinels: SentinelAddress[];
  name: string;
  sentinelPassword?: string;
}

/** Where every Redis connection of the process goes: built once at start-up, carried by AppConfig. */
export type RedisTarget = RedisUrlTarget | RedisSentinelTarget;

/**
 * The target the settings name: the Sentinel master set with REDIS_SENTINELS, else REDIS_URL, else
 * `fallbackUrl` (the local Redis of a development start). loadEnv has already refused contradictions.
 */
export function redisTargetOf(env: Env, fallbackUrl?: string): RedisTarget {
  const access: RedisAccess = {
    ...(env.REDIS_USERNAME !== undefined && { username: env.REDIS_USERNAME }),
    ...(env.REDIS_PASSWORD !== undefined && { password: env.REDIS_PASSWORD }),
  };
  if (env.REDIS_SENTINELS) {
    return {
      kind: 'sentinel',
      sentinels: env.REDIS_SENTINELS,
      name: env.REDIS_SENTINEL_NAME,
      ...(env.REDIS_SENTINEL_PASSWORD !== undefined && { sentinelPassword: env.REDIS_SENTINEL_PASSWORD }),
      ...access,
      ...(env.REDIS_TLS && { tls: tlsOptions(env.REDIS_TLS_CA_FILE) }),
    };
  }
  const url = env.REDIS_URL ?? fallbackUrl;
  if (url === undefined) throw new ConfigError('REDIS_URL: not set, and no local Redis was resolved');
  const tls = env.REDIS_TLS || url.startsWith('rediss:');
  return { kind: 'url', url, ...access, ...(tls && { tls: tlsOptions(env.REDIS_TLS_CA_FILE) }) };
}

/**
 * Node's defaults verify the certificate chain and that the certificate names the host connected to
 * (for a Sentinel-announced master, the address the sentinels announce). A CA file replaces the
 * system's roots: a private CA is trusted for Redis, and nothing else is.
 */
function tlsOptions(caFile: string | undefined): ConnectionOptions {
  if (caFile === undefined) return {};
  let ca: Buffer;
  try {
    ca = readFileSync(caFile);
    new X509Certificate(ca);
  } catch (error) {
    throw new ConfigError(
      `REDIS_TLS_CA_FILE: ${caFile} is not a readable PEM certificate (${(error as Error).message})`,
    );
  }
  return { ca };
}

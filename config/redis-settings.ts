import { isIP } from 'node:net';
import { z } from 'zod';
import type { Env } from './schema.js';

/** A Sentinel's address, as ioredis takes it. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/** `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address. */
function sentinelAddress(entry: string): SentinelAddress | undefined {
  const match = /^(\[([0-9A-Fa-f:.]+)\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(entry);
  if (!match) return undefined;
  const host = match[2] ?? match[1]!;
  const port = Number(match[3]);
  if (match[2] !== undefined && isIP(host) !== 6) return undefined;
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** REDIS_SENTINELS: `host:port,host:port`, at least one, no address twice. */
export const sentinelAddresses = z.string().transform((raw, ctx) => {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const addresses: SentinelAddress[] = [];
  for (const entry of entries) {
    const address = sentinelAddress(entry);
    if (!address) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)} is not host:port (e.g. sentinel-0:26379)` });
      return z.NEVER;
    }
    addresses.push(address);
  }
  const keys = addresses.map((a) => `${a.host}:${a.port}`);
  if (addresses.length === 0 || new Set(keys).size !== keys.length) {
    ctx.addIssue({ code: 'custom', message: 'must list one or more distinct host:port addresses' });
    return z.NEVER;
  }
  return addresses;
});

/**
 * The first contradiction among the Redis settings, as the `NAME: problem` line loadEnv prints, or
 * undefined. Redis is reached one way (REDIS_URL or REDIS_SENTINELS), and each credential and the TLS
 * choice is said once: a setting that would be silently ignored or overridden is refused instead.
 */
export function redisSettingsProblem(env: Env): string | undefined {
  const url = env.REDIS_URL === undefined ? undefined : new URL(env.REDIS_URL);
  const sentinels = env.REDIS_SENTINELS !== undefined;
  if (url && sentinels) return 'REDIS_SENTINELS: set REDIS_URL or REDIS_SENTINELS, not both';
  if (env.REDIS_SENTINEL_PASSWORD !== undefined && !sentinels) {
    return 'REDIS_SENTINEL_PASSWORD: only applies with REDIS_SENTINELS';
  }
  const credentials = env.REDIS_USERNAME !== undefined || env.REDIS_PASSWORD !== undefined;
  if (credentials && !url && !sentinels) {
    return `${env.REDIS_USERNAME !== undefined ? 'REDIS_USERNAME' : 'REDIS_PASSWORD'}: only applies with REDIS_URL or REDIS_SENTINELS`;
  }
  if (credentials && url && (url.username !== '' || url.password !== '')) {
    return 'REDIS_PASSWORD: REDIS_URL carries credentials already; give them in one place';
  }
  if (env.REDIS_USERNAME !== undefined && env.REDIS_PASSWORD === undefined) {
    return 'REDIS_USERNAME: needs REDIS_PASSWORD (an ACL user logs in with both)';
  }
  if (env.REDIS_TLS && url?.protocol === 'redis:') {
    return 'REDIS_TLS: REDIS_URL is redis:// (plain TCP); use a rediss:// URL for TLS';
  }
  if (env.REDIS_TLS && !url && !sentinels) return 'REDIS_TLS: only applies with REDIS_URL or REDIS_SENTINELS';
  const tls = env.REDIS_TLS || url?.protocol === 'rediss:';
  if (env.REDIS_TLS_CA_FILE !== undefined && !tls) {
    return 'REDIS_TLS_CA_FILE: only applies with TLS (REDIS_TLS=true, or a rediss:// REDIS_URL)';
  }
  return undefined;
}

import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, type Env } from '../../config/index.js';
import { AppConfig, type AuditSigningKey, type EncryptionKey } from '../common/app-config.js';
import { redisTargetOf } from '../common/redis-target.js';
import { loadOrCreateDevAuditSigningKeys } from './dev-audit-signing-keys.js';
import { loadOrCreateDevEncryptionKeys } from './dev-encryption-keys.js';
import { EMBEDDED_POOL_MAX, startEmbeddedPostgres } from './embedded-postgres.js';
import { resolveLocalRedis } from './embedded-redis.js';

export interface Runtime {
  config: AppConfig;
  /** Stops what resolveRuntime started (embedded database, redis-server), last started first. */
  stop(): Promise<void>;
}

/**
 * Turns the validated environment into the AppConfig the app runs with, filling what is unset with
 * the embedded defaults (ARCHITECTURE "Embedded defaults"): PGlite for DATABASE_URL, a local or
 * spawned Redis when neither REDIS_URL nor REDIS_SENTINELS is set, key files for
 * STEPGUARD_ENCRYPTION_KEYS and STEPGUARD_AUDIT_SIGNING_KEY.
 */
export async function resolveRuntime(env: Env, log: (line: string) => void): Promise<Runtime> {
  const dataDir = resolve(env.STEPGUARD_DATA_DIR);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const stops: (() => Promise<void>)[] = [];
  const stop = () => stopAll(stops.splice(0).reverse());
  try {
    // Cheapest checks first: a missing Redis should not cost a database start.
    const keys = await encryptionKeys(env, dataDir, log);
    const signingKeys = await auditSigningKeys(env, dataDir, log);
    let localRedisUrl: string | undefined;
    if (env.REDIS_URL === undefined && env.REDIS_SENTINELS === undefined) {
      const redis = await resolveLocalRedis(dataDir, log);
      stops.push(redis.stop);
      localRedisUrl = redis.url;
    }
    const redis = redisTargetOf(env, localRedisUrl);
    let databaseUrl = env.DATABASE_URL;
    let poolMax = env.DATABASE_POOL_MAX;
    if (databaseUrl === undefined) {
      const postgres = await startEmbeddedPostgres(dataDir);
      stops.push(postgres.stop);
      databaseUrl = postgres.url;
      poolMax = EMBEDDED_POOL_MAX;
      log(`DATABASE_URL is not set: embedded PostgreSQL (PGlite) with data in ${dataDir}/pgdata on ${databaseUrl}`);
      if (env.DATABASE_POOL_MAX !== EMBEDDED_POOL_MAX) {
        log(`DATABASE_POOL_MAX=${env.DATABASE_POOL_MAX} ignored: the embedded database is used with one connection`);
      }
    }
    const config = new AppConfig({ ...env, DATABASE_POOL_MAX: poolMax }, databaseUrl, redis, keys, signingKeys);
    return { config, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

async function encryptionKeys(env: Env, dataDir: string, log: (line: string) => void): Promise<EncryptionKey[]> {
  if (env.STEPGUARD_ENCRYPTION_KEYS) return env.STEPGUARD_ENCRYPTION_KEYS;
  // Checked by loadEnv too; repeated because a key file on disk must never stand in for production keys.
  if (env.NODE_ENV === 'production')
    throw new ConfigError('STEPGUARD_ENCRYPTION_KEYS: is required when NODE_ENV=production');
  return loadOrCreateDevEncryptionKeys(dataDir, log);
}

async function auditSigningKeys(env: Env, dataDir: string, log: (line: string) => void): Promise<AuditSigningKey[]> {
  if (env.STEPGUARD_AUDIT_SIGNING_KEY) return env.STEPGUARD_AUDIT_SIGNING_KEY;
  // A key file on a node's disk would make each node sign with its own key: production names one.
  if (env.NODE_ENV === 'production')
    throw new ConfigError('STEPGUARD_AUDIT_SIGNING_KEY: is required when NODE_ENV=production');
  return loadOrCreateDevAuditSigningKeys(dataDir, log);
}

/** Runs every stop even when one fails, then reports the failures. */
async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const stop of stops) await stop().catch((error: unknown) => failures.push(error));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, 'stopping the embedded services failed');
}

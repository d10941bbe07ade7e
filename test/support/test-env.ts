import { randomBytes } from 'node:crypto';
import { loadEnv, type Env } from '../../config/index.js';
import { AppConfig } from '../../src/common/app-config.js';
import { redisTargetOf } from '../../src/common/redis-target.js';

export const TEST_REDIS_URL = process.env.STEPGUARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef0123456789';

/** A validated configuration for one test file: its own database and its own Redis key prefix. */
export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  const env: Env = loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    // Redis through Sentinel when the test names sentinels, else the shared test Redis.
    ...(overrides.REDIS_SENTINELS === undefined && { REDIS_URL: TEST_REDIS_URL }),
    REDIS_KEY_PREFIX: `sgtest-${randomBytes(4).toString('hex')}`,
    STEPGUARD_OPERATOR_TOKEN: OPERATOR_TOKEN,
    STEPGUARD_ENCRYPTION_KEYS: `test1:${randomBytes(32).toString('base64')}`,
    STEPGUARD_AUDIT_SIGNING_KEY: `test1:${randomBytes(32).toString('base64')}`,
    ...overrides,
  });
  return new AppConfig(
    env,
    databaseUrl,
    redisTargetOf(env),
    env.STEPGUARD_ENCRYPTION_KEYS!,
    env.STEPGUARD_AUDIT_SIGNING_KEY!,
  );
}

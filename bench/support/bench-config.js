// The validated configuration a benchmark boots the built app with: production settings on the bench's
// throw-away database and Redis prefix, fresh encryption and signing keys, and limits opened wide, since every
// request comes from 127.0.0.1 and one account is hit far more often than any person would.
import { randomBytes } from 'node:crypto';
import { loadEnv } from '../../dist/config/index.js';
import { AppConfig } from '../../dist/src/common/app-config.js';
import { REDIS_URL } from './bench-database.js';

/** `env`: further settings of the bench's own (e.g. a batch size under test). */
export function benchConfig({ databaseUrl, redisPrefix, operatorToken, logLevel, env: overrides = {} }) {
  const env = loadEnv({
    NODE_ENV: 'production',
    LOG_LEVEL: logLevel,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    STEPGUARD_OPERATOR_TOKEN: operatorToken,
    STEPGUARD_ENCRYPTION_KEYS: `bench1:${randomBytes(32).toString('base64')}`,
    STEPGUARD_AUDIT_SIGNING_KEY: `bench1:${randomBytes(32).toString('base64')}`,
    // The per-IP limit would measure 429s; the per-account budget is drawn on by logins and step-ups alike.
    LOGIN_MAX_ATTEMPTS_PER_IP: '1000000000',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000000',
    ...overrides,
  });
  return new AppConfig(
    env,
    databaseUrl,
    { kind: 'url', url: REDIS_URL },
    env.STEPGUARD_ENCRYPTION_KEYS,
    env.STEPGUARD_AUDIT_SIGNING_KEY,
  );
}

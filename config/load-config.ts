import { redisSettingsProblem } from './redis-settings.js';
import { envSchema, type Env } from './schema.js';
import { webauthnSettingsOf } from './webauthn-settings.js';

/** A configuration problem, phrased as the one line the process prints before it stops. */
export class ConfigError extends Error {}

/** Validates the environment; throws a ConfigError naming the first bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (parsed.success) {
    if (parsed.data.SESSION_IDLE_TIMEOUT_MINUTES > parsed.data.SESSION_ABSOLUTE_TIMEOUT_MINUTES) {
      throw new ConfigError('SESSION_IDLE_TIMEOUT_MINUTES: must not exceed SESSION_ABSOLUTE_TIMEOUT_MINUTES');
    }
    const redisProblem = redisSettingsProblem(parsed.data);
    if (redisProblem !== undefined) throw new ConfigError(redisProblem);
    const { problem: webauthnProblem } = webauthnSettingsOf(parsed.data);
    if (webauthnProblem !== undefined) throw new ConfigError(webauthnProblem);
    if (parsed.data.NODE_ENV === 'production') requireInProduction(parsed.data);
    return parsed.data;
  }
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  throw new ConfigError(`${name}: ${issue.message}`);
}

function requireInProduction(env: Env): void {
  const required = [
    'DATABASE_URL',
    'STEPGUARD_ENCRYPTION_KEYS',
    'STEPGUARD_AUDIT_SIGNING_KEY',
    'STEPGUARD_OPERATOR_TOKEN',
  ] as const;
  for (const name of required) {
    if (env[name] === undefined) throw new ConfigError(`${name}: is required when NODE_ENV=production`);
  }
  if (env.REDIS_URL === undefined && env.REDIS_SENTINELS === undefined) {
    throw new ConfigError('REDIS_URL: is required when NODE_ENV=production, unless REDIS_SENTINELS is set');
  }
}

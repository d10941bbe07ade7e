export { envSchema, ENV_NAMES, type Env } from './schema.js';
export { loadEnv, ConfigError } from './load-config.js';
export type { SentinelAddress } from './redis-settings.js';
export { webauthnSettingsOf, type WebauthnSettings, type WebauthnUnavailable } from './webauthn-settings.js';

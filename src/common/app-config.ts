import type { KeyObject } from 'node:crypto';
import { type Env, webauthnSettingsOf, type WebauthnSettings, type WebauthnUnavailable } from '../../config/index.js';
import type { RedisTarget } from './redis-target.js';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** An Ed25519 key that signs audit checkpoints; it never goes into the database. */
export interface AuditSigningKey {
  id: string;
  privateKey: KeyObject;
}

/**
 * The validated environment plus what start-up resolved from it (embedded database URL, the Redis target,
 * development encryption and signing keys). Injected wherever a setting is needed; never read process.env elsewhere.
 */
export class AppConfig {
  constructor(
    readonly env: Env,
    readonly databaseUrl: string,
    /** Where every Redis connection goes: a URL, or a master set found through Sentinel. */
    readonly redis: RedisTarget,
    readonly encryptionKeys: EncryptionKey[],
    /** The last one signs; all of them verify (key rotation). */
    readonly auditSigningKeys: AuditSigningKey[],
  ) {}

  get publicUrl(): string {
    return this.env.PUBLIC_URL ?? `http://localhost:${this.env.PORT}`;
  }

  /** The passkeys' relying party, or why this deployment has none (checked at start-up). */
  get webauthn(): WebauthnSettings | WebauthnUnavailable {
    return webauthnSettingsOf(this.env).settings;
  }

  get idleTimeoutMs(): number {
    return this.env.SESSION_IDLE_TIMEOUT_MINUTES * 60_000;
  }

  get absoluteTimeoutMs(): number {
    return this.env.SESSION_ABSOLUTE_TIMEOUT_MINUTES * 60_000;
  }
}

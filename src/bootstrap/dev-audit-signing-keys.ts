import { join } from 'node:path';
import { envSchema } from '../../config/index.js';
import type { AuditSigningKey } from '../common/app-config.js';
import { loadOrCreateDevKeyFile } from './dev-key-file.js';

/**
 * Audit checkpoint signing keys for a start without STEPGUARD_AUDIT_SIGNING_KEY (refused in production by
 * loadEnv): `<dataDir>/audit-signing-keys`, one `id:base64` line per Ed25519 key, the last one signing.
 * A file beside the embedded database, never in it: a key stored in PostgreSQL would let whoever can
 * rewrite the audit tables sign checkpoints for the rewrite.
 */
export function loadOrCreateDevAuditSigningKeys(
  dataDir: string,
  log: (line: string) => void,
): Promise<AuditSigningKey[]> {
  return loadOrCreateDevKeyFile(
    {
      path: join(dataDir, 'audit-signing-keys'),
      variable: 'STEPGUARD_AUDIT_SIGNING_KEY',
      schema: envSchema.shape.STEPGUARD_AUDIT_SIGNING_KEY,
      expected: 'one id:base64 line per Ed25519 key (a 32-byte seed or PKCS #8 DER)',
    },
    log,
  );
}

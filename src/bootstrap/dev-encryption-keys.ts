import { join } from 'node:path';
import { envSchema } from '../../config/index.js';
import type { EncryptionKey } from '../common/app-config.js';
import { loadOrCreateDevKeyFile } from './dev-key-file.js';

/**
 * Encryption keys for a start without STEPGUARD_ENCRYPTION_KEYS (refused in production by
 * loadEnv): `<dataDir>/encryption-keys`, one `id:base64` line per key, the last one encrypting.
 * Created on first use; kept so that secrets stored by one run can be read by the next.
 */
export function loadOrCreateDevEncryptionKeys(dataDir: string, log: (line: string) => void): Promise<EncryptionKey[]> {
  return loadOrCreateDevKeyFile(
    {
      path: join(dataDir, 'encryption-keys'),
      variable: 'STEPGUARD_ENCRYPTION_KEYS',
      schema: envSchema.shape.STEPGUARD_ENCRYPTION_KEYS,
      expected: 'one id:base64 line per 32-byte key',
    },
    log,
  );
}

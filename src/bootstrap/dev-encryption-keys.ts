import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, envSchema } from '../../config/index.js';
import type { EncryptionKey } from '../common/app-config.js';

const FIRST_KEY_ID = 'dev1';

/**
 * Encryption keys for a start without STEPGUARD_ENCRYPTION_KEYS (refused in production by
 * loadEnv): `<dataDir>/encryption-keys`, one `id:base64` line per key, the last one encrypting.
 * Created on first use; kept so that secrets stored by one run can be read by the next.
 */
export async function loadOrCreateDevEncryptionKeys(
  dataDir: string,
  log: (line: string) => void,
): Promise<EncryptionKey[]> {
  const path = join(dataDir, 'encryption-keys');
  const created = await createKeyFile(path);
  // The file holds the keys to every stored secret: readable by the owner only, whoever created it.
  if (((await stat(path)).mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    log(`${path} was readable by other users: its mode is now 0600`);
  }
  const keys = parseKeyFile(path, await readFile(path, 'utf8'));
  const ids = keys.map((k) => k.id).join(', ');
  log(
    `STEPGUARD_ENCRYPTION_KEYS is not set: ${created ? 'created' : 'using'} development keys in ${path} (ids: ${ids})`,
  );
  return keys;
}

/** Writes a fresh key unless the file exists; true when this call created it. */
async function createKeyFile(path: string): Promise<boolean> {
  try {
    await writeFile(path, `${FIRST_KEY_ID}:${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Same format and checks as STEPGUARD_ENCRYPTION_KEYS, one key per line instead of commas. */
function parseKeyFile(path: string, content: string): EncryptionKey[] {
  const lines = content
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const parsed = envSchema.shape.STEPGUARD_ENCRYPTION_KEYS.safeParse(lines.join(','));
  if (!parsed.success || !parsed.data) {
    const reason = parsed.success ? 'no keys' : parsed.error.issues[0]?.message;
    throw new ConfigError(`${path}: ${reason} (expected one id:base64 line per 32-byte key)`);
  }
  return parsed.data;
}

import { randomBytes } from 'node:crypto';
import { chmod, link, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError } from '../../config/index.js';

const FIRST_KEY_ID = 'dev1';

export interface DevKeyFile<K extends { id: string }> {
  path: string;
  /** The setting the file stands in for, named in the log line. */
  variable: string;
  /** That setting's schema: the file holds its comma-separated pairs one per line. */
  schema: z.ZodType<K[] | undefined>;
  /** What a line must be, for the error on a malformed file. */
  expected: string;
}

/**
 * Keys for a start without their setting (refused in production by loadEnv): one `id:base64` line per
 * key, the last one in use. The file is created on first use with one fresh 32 random bytes (an
 * AES-256 key, or an Ed25519 seed), and kept, so that what one run sealed or signed the next can read.
 */
export async function loadOrCreateDevKeyFile<K extends { id: string }>(
  file: DevKeyFile<K>,
  log: (line: string) => void,
): Promise<K[]> {
  const created = await createKeyFile(file.path);
  // The file holds secret keys: readable by the owner only, whoever created it.
  if (((await stat(file.path)).mode & 0o077) !== 0) {
    await chmod(file.path, 0o600);
    log(`${file.path} was readable by other users: its mode is now 0600`);
  }
  const keys = parseKeyFile(file, await readFile(file.path, 'utf8'));
  const ids = keys.map((k) => k.id).join(', ');
  log(`${file.variable} is not set: ${created ? 'created' : 'using'} development keys in ${file.path} (ids: ${ids})`);
  return keys;
}

/**
 * Writes a fresh key unless the file exists; true when this call created it. Written aside, then linked
 * into place (which fails if the file exists): processes starting together on one data directory never
 * read a half-written file, and all end up with the one key that won.
 */
async function createKeyFile(path: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(aside, `${FIRST_KEY_ID}:${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(aside, { force: true });
  }
}

/** Same format and checks as the setting, one key per line instead of commas. */
function parseKeyFile<K extends { id: string }>(file: DevKeyFile<K>, content: string): K[] {
  const lines = content
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const parsed = file.schema.safeParse(lines.join(','));
  if (!parsed.success || !parsed.data) {
    const reason = parsed.success ? 'no keys' : parsed.error.issues[0]?.message;
    throw new ConfigError(`${file.path}: ${reason} (expected ${file.expected})`);
  }
  return parsed.data;
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The whole database as `pg_dump` writes it (every table's rows, as a backup would hold them). */
export async function dumpDatabase(databaseUrl: string): Promise<string> {
  const { stdout } = await promisify(execFile)('pg_dump', ['--data-only', '--no-owner', databaseUrl], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

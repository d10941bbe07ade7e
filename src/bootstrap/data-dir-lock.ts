import { open, readFile, rm } from 'node:fs/promises';
import { ConfigError } from '../../config/index.js';

export interface DataDirLock {
  release(): Promise<void>;
}

/** Lock paths held by this process: a lock file naming our own pid is otherwise stale (a container restart reuses pids). */
const held = new Set<string>();

/**
 * Takes a pid lock file, so that a second process cannot open the same embedded store. A lock
 * whose process is gone is stale and taken over.
 */
export async function acquireLock(path: string, what: string, hint: string): Promise<DataDirLock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600);
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      held.add(path);
      return {
        async release() {
          if (!held.delete(path)) return;
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (isRunning(holder) && (holder !== process.pid || held.has(path))) {
        throw new ConfigError(
          `${what} is in use by process ${holder} (lock file ${path}): ${hint}; ` +
            'delete the lock file only if that process is not Stepguard',
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new ConfigError(`${what}: could not take the lock ${path}`);
}

/** True when a process with this pid exists (EPERM: it does, but belongs to someone else). */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

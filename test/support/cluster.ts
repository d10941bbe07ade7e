import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { HttpClient } from './http.js';
import { createTestDatabase } from './postgres.js';
import { runEntryPoint, type RunningProcess } from './process/child-process.js';
import { deleteRedisKeys } from './redis.js';
import { freePort } from './free-port.js';
import { OPERATOR_TOKEN, TEST_REDIS_URL } from './test-env.js';

export interface ApiNode {
  name: string;
  url: string;
  http: HttpClient;
  process: RunningProcess;
}

export interface Cluster {
  nodes: ApiNode[];
  workers: RunningProcess[];
  databaseUrl: string;
  redisPrefix: string;
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A deployment on loopback: `apiNodes` api processes (`src/main.ts`, no workers in them) and `workers`
 * worker processes (`workers/main.ts`), as real child processes on one fresh database and one Redis
 * prefix, exactly as a Kubernetes install runs them.
 */
export async function startCluster(
  options: {
    apiNodes: number;
    workers: number;
    /** The Redis settings (REDIS_URL, or REDIS_SENTINELS and its kin); default: REDIS_URL of the test Redis. */
    redis?: Record<string, string>;
    /** A migrated database the caller owns (and drops), instead of a fresh one on the shared server. */
    database?: { url: string };
    env?: Record<string, string>;
    /** More settings for the api node of this index (0 = A), over the cluster's `env` (given). */
    nodeEnv?: (index: number, env: Record<string, string>) => Record<string, string>;
  } = {
    apiNodes: 3,
    workers: 1,
  },
): Promise<Cluster> {
  const db = options.database ? { url: options.database.url, drop: async () => undefined } : await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'stepguard-cluster-'));
  const redisPrefix = `sgtest-${randomBytes(4).toString('hex')}`;
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    ...(options.redis ?? { REDIS_URL: TEST_REDIS_URL }),
    REDIS_KEY_PREFIX: redisPrefix,
    STEPGUARD_OPERATOR_TOKEN: OPERATOR_TOKEN,
    STEPGUARD_ENCRYPTION_KEYS: `test1:${randomBytes(32).toString('base64')}`,
    // One signing key for every node, as production requires (a key file per data directory would differ).
    STEPGUARD_AUDIT_SIGNING_KEY: `test1:${randomBytes(32).toString('base64')}`,
    STEPGUARD_DATA_DIR: dataDir,
    STEPGUARD_MIGRATE_ON_START: 'false',
    STEPGUARD_WORKERS_IN_PROCESS: 'false',
    ...options.env,
  };
  const started: RunningProcess[] = [];
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  const close = async () => {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    await pool.end();
    await db.drop();
    await deleteRedisKeys(redisPrefix);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const nodes = await Promise.all(
      Array.from({ length: options.apiNodes }, async (_, i) => {
        const port = await freePort();
        const proc = runEntryPoint('src/main.ts', { ...env, ...options.nodeEnv?.(i, env), PORT: String(port) });
        started.push(proc);
        await proc.waitFor(/listening on/, 60_000);
        const url = `http://127.0.0.1:${port}`;
        return { name: String.fromCharCode(65 + i), url, http: new HttpClient(url), process: proc };
      }),
    );
    const workers = await Promise.all(
      Array.from({ length: options.workers }, async () => {
        const proc = runEntryPoint('workers/main.ts', env);
        started.push(proc);
        await proc.waitFor(/stepguard worker started/, 60_000);
        return proc;
      }),
    );
    return {
      nodes,
      workers,
      databaseUrl: db.url,
      redisPrefix,
      sql: async (text, params) => (await pool.query(text, params)).rows,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock } from './data-dir-lock.js';

/**
 * The only pool size that is correct on the embedded database (docs/embedded-database.md). The
 * socket server multiplexes every client connection onto PGlite's one session and keeps explicit
 * transactions apart, but not the extended-protocol messages of statements outside them: a second
 * connection's Parse can replace the unnamed statement between another's Parse and Bind.
 */
export const EMBEDDED_POOL_MAX = 1;

/**
 * Headroom above the pool: a pooled connection closed for idleness is still counted for a moment
 * while its replacement connects, and the server answers a connection over the limit with bytes
 * `pg` cannot parse. Safety comes from the pool of one, not from this number.
 */
const SOCKET_MAX_CONNECTIONS = 4;

export interface EmbeddedPostgres {
  /** A `postgresql://` URL for the `pg` driver; PGlite accepts any user and database name. */
  url: string;
  stop(): Promise<void>;
}

/** Starts PGlite persisted in `<dataDir>/pgdata`, served over the wire protocol on 127.0.0.1. */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  await mkdir(dataDir, { recursive: true });
  // PGlite has no lock of its own; two processes on one data directory would corrupt it.
  const lock = await acquireLock(
    join(dataDir, 'pgdata.lock'),
    `the embedded database in ${dataDir}`,
    'it serves one process, so stop that one, or set DATABASE_URL to run a worker or CLI beside the server',
  );
  let db: PGlite | undefined;
  try {
    db = await PGlite.create({ dataDir: join(dataDir, 'pgdata') });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: SOCKET_MAX_CONNECTIONS });
    await server.start();
    const opened = db;
    return {
      url: `postgresql://postgres@${server.getServerConn()}/postgres`,
      async stop() {
        try {
          await server.stop();
          await opened.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    await lock.release();
    throw error;
  }
}

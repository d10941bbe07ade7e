// A throw-away PostgreSQL database for a benchmark, migrated by the built app's own MikroORM config,
// and a throw-away Redis key prefix. Names contain `test`, like the test databases, so a benchmark can
// never touch a real one.
import { MikroORM } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ormConfig } from '../../dist/src/infra/database/orm-config.js';

export const ADMIN_URL = process.env.STEPGUARD_BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.STEPGUARD_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

function databaseUrl(name) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates and migrates `stepguard_bench_test_<pid>`; `drop()` removes it again. */
export async function createBenchDatabase() {
  const name = `stepguard_bench_test_${process.pid}`;
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  const drop = () => admin(`drop database if exists ${name} with (force)`);
  try {
    const orm = await MikroORM.init(ormConfig({ url: databaseUrl(name), poolMax: 1 }));
    try {
      await orm.migrator.up();
    } finally {
      await orm.close(true);
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url: databaseUrl(name), drop };
}

/** Creates an empty database `name` (it must contain `test`) for a peer to migrate itself; `drop()` removes it. */
export async function createEmptyDatabase(name) {
  if (!name.includes('test')) throw new Error(`a bench database name must contain "test": ${name}`);
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  return { name, url: databaseUrl(name), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/** Deletes every Redis key under `prefix:`, by SCAN so a large keyspace is not blocked. */
export async function deleteRedisKeys(prefix) {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

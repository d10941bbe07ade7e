import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { ormConfig } from '../../src/infra/database/orm-config.js';

/** The server the tests use; a database whose name does not contain `test` is never touched. */
export const ADMIN_URL = process.env.STEPGUARD_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function assertTestDatabase(name: string): void {
  if (!/^[a-z0-9_]+$/.test(name) || !name.includes('test')) {
    throw new Error(`refusing to use database "${name}": test databases must be named *test*`);
  }
}

export async function dropDatabase(name: string): Promise<void> {
  assertTestDatabase(name);
  await withAdminClient((c) => c.query(`drop database if exists ${name} with (force)`));
}

/** A fresh database cloned from the migrated template made once per run by global-setup. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const template = process.env.STEPGUARD_TEST_TEMPLATE;
  if (!template) throw new Error('STEPGUARD_TEST_TEMPLATE is not set: run the tests through jest (npm test)');
  const name = `stepguard_test_${randomBytes(6).toString('hex')}`;
  assertTestDatabase(name);
  assertTestDatabase(template);
  await withAdminClient(async (c) => {
    await c.query('select pg_advisory_lock(hashtext($1))', [template]);
    try {
      await ensureTemplate(c, template);
      await c.query(`create database ${name} template ${template}`);
    } finally {
      await c.query('select pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/** The first test file of a run migrates the template; the advisory lock makes the others wait for it. */
async function ensureTemplate(client: pg.Client, template: string): Promise<void> {
  const exists = await client.query('select 1 from pg_database where datname = $1', [template]);
  if (exists.rowCount) return;
  await client.query(`create database ${template}`);
  const orm = await MikroORM.init(ormConfig({ url: databaseUrl(template), poolMax: 1 }));
  try {
    await orm.migrator.up();
  } catch (error) {
    await orm.close(true);
    await client.query(`drop database if exists ${template} with (force)`);
    throw error;
  }
  await orm.close(true);
}

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { assertTestDatabase, databaseUrl, dropDatabase, withAdminClient } from './postgres.js';

const ROLES_SQL = fileURLToPath(new URL('../../docker/postgres/roles.sql', import.meta.url));

export interface RoleSeparatedDatabase {
  name: string;
  owner: string;
  appRole: string;
  /** The owner's URL: what the migrations run as. */
  ownerUrl: string;
  /** The application role's URL: what the api and workers run as. */
  appUrl: string;
  /** A query as the server's superuser, on this database. */
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/**
 * An empty, unmigrated test database with Stepguard's two roles made by docker/postgres/roles.sql, run
 * by psql as the README tells an operator to. Empty on purpose: roles.sql is written for an empty database,
 * and whatever migrates it next does the real work. The roles are cluster-wide, so their names are unique to
 * the call; `drop()` removes the database and then both roles. (The test server trusts every local
 * connection, so the random passwords are carried in the URLs but never checked.)
 */
export async function createRoleSeparatedDatabase(): Promise<RoleSeparatedDatabase> {
  const suffix = randomBytes(4).toString('hex');
  const name = `stepguard_test_roles_${suffix}`;
  const owner = `stepguard_test_owner_${suffix}`;
  const appRole = `stepguard_test_app_${suffix}`;
  const passwords = { [owner]: randomBytes(12).toString('hex'), [appRole]: randomBytes(12).toString('hex') };
  const urlAs = (user: string) => {
    const url = new URL(databaseUrl(name));
    url.username = user;
    url.password = passwords[user]!;
    return url.toString();
  };
  assertTestDatabase(name);
  await withAdminClient((c) => c.query(`create database ${name}`));
  const drop = async () => {
    await dropDatabase(name);
    await withAdminClient(async (c) => {
      await c.query(`drop role if exists ${appRole}`);
      await c.query(`drop role if exists ${owner}`);
    });
  };
  try {
    await promisify(execFile)('psql', [
      ...['-v', 'ON_ERROR_STOP=1', '-v', `db=${name}`],
      ...['-v', `owner_role=${owner}`, '-v', `owner_password=${passwords[owner]}`],
      ...['-v', `app_role=${appRole}`, '-v', `app_password=${passwords[appRole]}`],
      ...['-f', ROLES_SQL, databaseUrl(name)],
    ]);
  } catch (error) {
    await drop();
    throw error;
  }
  const sql = async (text: string, params?: unknown[]) => {
    const client = new pg.Client({ connectionString: databaseUrl(name) });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  return { name, owner, appRole, ownerUrl: urlAs(owner), appUrl: urlAs(appRole), sql, drop };
}

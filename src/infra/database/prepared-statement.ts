import type { PostgreSqlConnection } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/sql';

const texts = new Map<string, string>();

/**
 * Runs a read-only statement outside any transaction as a named prepared statement on the pool under
 * the ORM: each connection parses and plans it once, then only executes it. For the statement every
 * request runs (authentication), where parsing and planning were a third of PostgreSQL's time for it.
 * `sql` takes `?` placeholders, like `em.execute`; rows come back as raw rows do there (the same pool).
 */
export async function runPrepared<T>(em: EntityManager, name: string, sql: string, params: unknown[]): Promise<T[]> {
  let text = texts.get(name);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    texts.set(name, text);
  }
  const pool = await (em.getConnection() as PostgreSqlConnection).getNativeClient();
  return (await pool.query({ name, text, values: params })).rows as T[];
}

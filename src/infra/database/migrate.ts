import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from './orm-config.js';

// Any constant works; it only has to be the same for every Stepguard process sharing a database.
const MIGRATION_LOCK = 7_307_072;

/**
 * Applies pending migrations. One connection holding an advisory lock, so api replicas starting
 * together migrate one at a time and the others find nothing left to do.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const orm = await MikroORM.init(ormConfig({ url, poolMax: 1 }));
  try {
    const em = orm.em.fork();
    await em.execute('select pg_advisory_lock(?)', [MIGRATION_LOCK]);
    try {
      return (await orm.migrator.up()).map((m) => m.name);
    } finally {
      await em.execute('select pg_advisory_unlock(?)', [MIGRATION_LOCK]);
    }
  } finally {
    await orm.close(true);
  }
}

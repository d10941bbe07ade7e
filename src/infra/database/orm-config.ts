import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export function ormConfig(input: { url: string; poolMax: number; debug?: boolean; silent?: boolean }): Options {
  return defineConfig({
    clientUrl: input.url,
    entities: ENTITIES,
    extensions: [Migrator],
    pool: { min: 0, max: input.poolMax },
    // Waiting longer than this for a pooled connection means something holds one while it waits for
    // another (a query on a second fork inside a transaction): fail loudly instead of hanging.
    driverOptions: { connectionTimeoutMillis: 10_000 },
    migrations: {
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      tableName: 'mikro_orm_migrations',
      snapshot: false,
      silent: input.silent ?? true,
    },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    ensureDatabase: false,
    debug: input.debug ?? false,
  });
}

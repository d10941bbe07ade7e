import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { MIGRATIONS } from './migrations/index.js';
import { TENANT_FILTER, tenantFilter } from './tenant-filter.js';

type EntityClass = NonNullable<Options['entities']>[number];

/**
 * `entities` come from the composition root (`src/entities.ts`, every slice's own list): infra knows
 * no slice. Migrations are plain SQL and need none.
 */
export function ormConfig(input: {
  url: string;
  poolMax: number;
  entities?: readonly EntityClass[];
  debug?: boolean;
  silent?: boolean;
}): Options {
  const entities = [...(input.entities ?? [])];
  return defineConfig({
    clientUrl: input.url,
    entities,
    discovery: { warnWhenNoEntities: entities.length > 0 },
    extensions: [Migrator],
    filters: { [TENANT_FILTER]: tenantFilter },
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

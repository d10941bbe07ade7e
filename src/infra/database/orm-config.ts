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
    driverOptions: {
      // The URL is the driver's to read whole: MikroORM's own parse of `clientUrl` keeps only the host,
      // port, user, password and database, and would drop TLS (`sslmode`, `sslrootcert`, `sslcert`,
      // `sslkey`) and any other libpq parameter.
      connectionString: input.url,
      // Waiting longer than this for a pooled connection means something holds one while it waits for
      // another (a query on a second fork inside a transaction): fail loudly instead of hanging. It also
      // bounds making a connection to a server that neither answers nor refuses (an address a failover
      // took away): that request answers 503.
      connectionTimeoutMillis: 10_000,
      // A server that vanished without closing its connections leaves sockets that wait for an answer for
      // many minutes; keepalive probes after 10 s of silence (then every second, ten times, in Node 24)
      // end a connection whose server is gone, and the pool replaces it.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    },
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

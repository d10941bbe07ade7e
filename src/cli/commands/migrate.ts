import { runMigrations } from '../../infra/database/migrate.js';
import { type CliCommand, EXIT_OK } from '../cli-command.js';

export const migrate: CliCommand = {
  words: ['migrate'],
  usage: '',
  summary: 'apply pending database migrations',
  options: {},
  prepare() {
    // No application context: on a database not yet migrated, nothing may run before the schema exists.
    return async ({ config, out }) => {
      const applied = await runMigrations(config.databaseUrl);
      if (applied.length === 0) out('no pending migrations: the database is up to date');
      for (const name of applied) out(`applied ${name}`);
      return EXIT_OK;
    };
  },
};

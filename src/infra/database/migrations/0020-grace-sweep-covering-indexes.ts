import { Migration } from '@mikro-orm/migrations';

/**
 * The grace sweep walks every scope start in user-id order, joined to the user's roles and their active
 * factors (compliance/standings/grace-candidates.sql.ts). Ids are random, so in id order each row sat on
 * another heap page: a walk of 1,000,000 users read about two pages per user. These indexes carry what
 * the walk reads, so it runs on index-only scans, in leaf order (measured: bench/grace-sweep.bench.js).
 * The scope start's primary key carries its two other columns rather than a second index beside it.
 * Built inside the migration's transaction (no `concurrently`): writes to these tables wait for the build,
 * a few seconds per million users.
 */
export class Migration0020GraceSweepCoveringIndexes extends Migration {
  override name = '0020-grace-sweep-covering-indexes';

  override up(): void {
    this.addSql(`
      alter table mfa_scope_starts drop constraint mfa_scope_starts_pkey,
        add constraint mfa_scope_starts_pkey primary key (user_id) include (tenant_id, started_at);
      create index users_id_roles_index on users (id) include (roles);
      create index factors_active_user_id_index on factors (user_id) include (type) where status = 'active';
    `);
  }

  override down(): void {
    this.addSql(`
      drop index if exists factors_active_user_id_index;
      drop index if exists users_id_roles_index;
      alter table mfa_scope_starts drop constraint mfa_scope_starts_pkey,
        add constraint mfa_scope_starts_pkey primary key (user_id);
    `);
  }
}

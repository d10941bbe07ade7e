import { Migration } from '@mikro-orm/migrations';

/** Backup codes: one row per code, stored only as a hash; a used code keeps its row with `used_at` set. */
export class Migration0004BackupCodes extends Migration {
  override name = '0004-backup-codes';

  override up(): void {
    this.addSql(`
      create table backup_codes (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        user_id uuid not null references users(id) on delete cascade,
        code_hash text not null,
        created_at timestamptz not null,
        used_at timestamptz
      );
      create index backup_codes_tenant_id_user_id_index on backup_codes (tenant_id, user_id);
      -- for the cascade when a user is deleted, which looks rows up by user_id alone
      create index backup_codes_user_id_index on backup_codes (user_id);
    `);
  }

  override down(): void {
    this.addSql('drop table if exists backup_codes;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/** Devices a user chose to remember after a second-factor check: a hashed token, valid for a set time. */
export class Migration0005RememberedDevices extends Migration {
  override name = '0005-remembered-devices';

  override up(): void {
    this.addSql(`
      create table remembered_devices (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        user_id uuid not null references users(id) on delete cascade,
        token_hash text not null unique,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        last_used_at timestamptz
      );
      create index remembered_devices_user_id_index on remembered_devices (user_id);
    `);
  }

  override down(): void {
    this.addSql('drop table if exists remembered_devices;');
  }
}

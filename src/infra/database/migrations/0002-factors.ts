import { Migration } from '@mikro-orm/migrations';

/** Users' second factors; a TOTP secret is stored only sealed, with the id of the key that sealed it. */
export class Migration0002Factors extends Migration {
  override name = '0002-factors';

  override up(): void {
    this.addSql(`
      create table factors (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        user_id uuid not null references users(id) on delete cascade,
        type text not null check (type in ('totp', 'email')),
        label text not null,
        status text not null check (status in ('pending', 'active')),
        secret_key_id text,
        secret_ciphertext text,
        last_used_step bigint,
        created_at timestamptz not null,
        verified_at timestamptz,
        last_used_at timestamptz,
        constraint factors_totp_secret_check
          check (type <> 'totp' or (secret_key_id is not null and secret_ciphertext is not null))
      );
      create index factors_tenant_id_user_id_index on factors (tenant_id, user_id);
      -- for the cascade when a user is deleted, which looks rows up by user_id alone
      create index factors_user_id_index on factors (user_id);
    `);
  }

  override down(): void {
    this.addSql('drop table if exists factors;');
  }
}

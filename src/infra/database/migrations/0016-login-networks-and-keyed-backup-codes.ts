import { Migration } from '@mikro-orm/migrations';

/**
 * - Backup codes record how each was hashed: rows from before are the salted SHA-256 (`sha256`) and
 *   keep working until used or regenerated; new ones are an HMAC under a key derived from the
 *   encryption key `hash_key_id` (`hmac-sha256`). No default afterwards: every new row says its scheme.
 * - The client networks each user has signed in from with the right password, so that a login from one
 *   of them passes while strangers are throttled (see src/auth/known-networks.ts). The network is
 *   hashed with the user; a few rows per user, each expiring.
 */
export class Migration0016LoginNetworksAndKeyedBackupCodes extends Migration {
  override name = '0016-login-networks-and-keyed-backup-codes';

  override up(): void {
    this.addSql(`
      alter table backup_codes add column hash_scheme text not null default 'sha256',
        add column hash_key_id text;
      alter table backup_codes alter column hash_scheme drop default;
      alter table backup_codes add constraint backup_codes_hash_scheme_check
        check ((hash_scheme = 'sha256' and hash_key_id is null) or (hash_scheme = 'hmac-sha256' and hash_key_id is not null));

      create table login_known_networks (
        user_id uuid not null references users(id) on delete cascade,
        network_hash text not null,
        tenant_id uuid not null references tenants(id) on delete cascade,
        last_success_at timestamptz not null,
        expires_at timestamptz not null,
        primary key (user_id, network_hash)
      );
      create index login_known_networks_tenant_id_index on login_known_networks (tenant_id);
    `);
  }

  override down(): void {
    this.addSql(`
      drop table if exists login_known_networks;
      alter table backup_codes drop constraint if exists backup_codes_hash_scheme_check;
      alter table backup_codes drop column if exists hash_key_id, drop column if exists hash_scheme;
    `);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * MFA resets an admin started for a user: a single-use, 24-hour link (only its hash is kept, and it
 * is set when the e-mail is sent), and the session it opened, which removes the old factors once a new
 * one is verified in it.
 */
export class Migration0012MfaResets extends Migration {
  override name = '0012-mfa-resets';

  override up(): void {
    this.addSql(`
      create table mfa_resets (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        user_id uuid not null references users(id) on delete cascade,
        token_hash text unique,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        requested_by uuid,
        used_at timestamptz,
        completed_at timestamptz
      );
      create index mfa_resets_user_id_index on mfa_resets (user_id);
      alter table sessions add column mfa_reset_id uuid references mfa_resets(id) on delete set null;
    `);
  }

  override down(): void {
    this.addSql(`
      alter table sessions drop column if exists mfa_reset_id;
      drop table if exists mfa_resets;
    `);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * E-mailed codes (stored only as keyed hashes) and the transactional outbox that carries "send this
 * e-mail" from the committing transaction to the `email` queue.
 */
export class Migration0006EmailCodes extends Migration {
  override name = '0006-email-codes';

  override up(): void {
    this.addSql(`
      create table email_codes (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        user_id uuid not null references users(id) on delete cascade,
        factor_id uuid not null references factors(id) on delete cascade,
        purpose text not null check (purpose in ('enrollment', 'sign_in')),
        code_hash text,
        hash_key_id text,
        attempts integer not null default 0,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        consumed_at timestamptz,
        superseded_at timestamptz
      );
      -- at most one live code per factor: a new code supersedes the old one, even under a race
      create unique index email_codes_live_factor_index on email_codes (factor_id)
        where consumed_at is null and superseded_at is null;
      create index email_codes_factor_id_purpose_created_at_index on email_codes (factor_id, purpose, created_at);
      create index email_codes_user_id_index on email_codes (user_id);

      create table outbox_messages (
        id uuid primary key,
        tenant_id uuid references tenants(id) on delete cascade,
        kind text not null,
        ref_id uuid not null,
        created_at timestamptz not null,
        relayed_at timestamptz,
        delivered_at timestamptz
      );
      -- the sweep's work list: rows committed but not yet handed to the queue
      create index outbox_messages_unrelayed_index on outbox_messages (created_at, id) where relayed_at is null;
    `);
  }

  override down(): void {
    this.addSql('drop table if exists outbox_messages; drop table if exists email_codes;');
  }
}

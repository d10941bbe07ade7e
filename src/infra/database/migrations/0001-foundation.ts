import { Migration } from '@mikro-orm/migrations';

/** Tenants, users, sessions, API keys and the append-only, hash-chained audit log. */
export class Migration0001Foundation extends Migration {
  override name = '0001-foundation';

  override up(): void {
    this.addSql(`
      create table tenants (
        id uuid primary key,
        slug text not null unique,
        name text not null,
        created_at timestamptz not null
      );

      create table users (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        email text not null,
        password_hash text,
        roles text[] not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        password_changed_at timestamptz,
        constraint users_tenant_id_email_unique unique (tenant_id, email)
      );
      create index users_tenant_id_id_index on users (tenant_id, id);

      create table sessions (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        user_id uuid not null references users(id) on delete cascade,
        token_hash text not null unique,
        amr text[] not null,
        device_type text not null,
        browser text,
        os text,
        user_agent text,
        ip text,
        location text,
        created_at timestamptz not null,
        last_active_at timestamptz not null,
        authenticated_at timestamptz not null,
        expires_at timestamptz not null,
        idle_timeout_seconds integer not null,
        revoked_at timestamptz,
        revoked_reason text
      );
      create index sessions_tenant_id_user_id_index on sessions (tenant_id, user_id);
      create index sessions_expires_at_index on sessions (expires_at);
      create index sessions_last_active_at_index on sessions (last_active_at);
      create index sessions_revoked_at_index on sessions (revoked_at) where revoked_at is not null;

      create table api_keys (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        name text not null,
        key_hash text not null unique,
        scopes text[] not null,
        created_by uuid,
        created_at timestamptz not null,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      create index api_keys_tenant_id_index on api_keys (tenant_id);

      create table audit_chains (
        chain_key text primary key,
        last_seq bigint not null,
        last_hash text not null
      );

      create table audit_events (
        id uuid primary key,
        chain_key text not null,
        seq bigint not null,
        tenant_id uuid,
        occurred_at timestamptz not null,
        action text not null,
        outcome text not null,
        actor_type text not null,
        actor_id text,
        target_type text,
        target_id text,
        ip text,
        user_agent text,
        details jsonb not null,
        prev_hash text not null,
        hash text not null,
        constraint audit_events_chain_key_seq_unique unique (chain_key, seq)
      );
      create index audit_events_chain_key_action_seq_index on audit_events (chain_key, action, seq);
      create index audit_events_chain_key_occurred_at_index on audit_events (chain_key, occurred_at);

      create function audit_events_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_events is append-only';
      end $$;
      create trigger audit_events_append_only before update or delete on audit_events
        for each row execute function audit_events_append_only();
    `);
  }

  override down(): void {
    this.addSql(`
      drop table if exists audit_events;
      drop function if exists audit_events_append_only();
      drop table if exists audit_chains;
      drop table if exists api_keys;
      drop table if exists sessions;
      drop table if exists users;
      drop table if exists tenants;
    `);
  }
}

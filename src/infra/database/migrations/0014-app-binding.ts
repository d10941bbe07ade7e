import { Migration } from '@mikro-orm/migrations';

/**
 * Apps a tenant registers, each with a key its sign-in requests carry: the app a session is for (and so
 * the MFA policy it is held to) comes from that key, never from a field the client fills in. A session
 * opened without a key is bound to no app and is held to the rules of every app. Sessions also remember
 * which app opened them, and challenges which app the session they open will be for.
 */
export class Migration0014AppBinding extends Migration {
  override name = '0014-app-binding';

  override up(): void {
    this.addSql(`
      create table apps (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        name text not null,
        kind text not null check (kind in ('console', 'client')),
        key_hash text not null unique,
        created_by uuid,
        created_at timestamptz not null,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      create index apps_tenant_idx on apps (tenant_id, created_at);
      alter table sessions
        add column app text check (app in ('console', 'client')),
        add column app_id uuid references apps(id) on delete set null;
      alter table mfa_challenges
        add column app text check (app in ('console', 'client')),
        add column app_id uuid references apps(id) on delete cascade;
      create index sessions_app_idx on sessions (app_id) where app_id is not null and revoked_at is null;
    `);
  }

  override down(): void {
    this.addSql(`
      alter table sessions drop column if exists app_id, drop column if exists app;
      alter table mfa_challenges drop column if exists app_id, drop column if exists app;
      drop table if exists apps;
    `);
  }
}

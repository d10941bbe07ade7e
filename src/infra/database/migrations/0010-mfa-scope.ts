import { Migration } from '@mikro-orm/migrations';

/**
 * When each user came into the scope of their tenant's MFA policy (their grace period starts there,
 * and editing the policy later never restarts it), and sessions that may only enrol a factor.
 */
export class Migration0010MfaScope extends Migration {
  override name = '0010-mfa-scope';

  override up(): void {
    this.addSql(`
      create table mfa_scope_starts (
        user_id uuid primary key references users(id) on delete cascade,
        tenant_id uuid not null references tenants(id) on delete cascade,
        started_at timestamptz not null
      );
      create index mfa_scope_starts_tenant_id_started_at_index on mfa_scope_starts (tenant_id, started_at);
      alter table sessions add column enrollment_only boolean not null default false;
    `);
  }

  override down(): void {
    this.addSql(`
      drop table if exists mfa_scope_starts;
      alter table sessions drop column if exists enrollment_only;
    `);
  }
}

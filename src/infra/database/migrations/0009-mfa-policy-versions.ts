import { Migration } from '@mikro-orm/migrations';

/** Every saved version of each tenant's MFA policy; the highest version is the one in force. */
export class Migration0009MfaPolicyVersions extends Migration {
  override name = '0009-mfa-policy-versions';

  override up(): void {
    this.addSql(`
      create table mfa_policy_versions (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        version integer not null check (version > 0),
        require_mfa boolean not null,
        required_roles text[] not null,
        grace_period_days integer not null check (grace_period_days between 0 and 90),
        allowed_methods text[] not null check (cardinality(allowed_methods) > 0),
        enforce_on text[] not null,
        totp_prior_connection boolean not null,
        remember_device_days integer not null check (remember_device_days between 0 and 365),
        reauth_max_age_minutes integer not null check (reauth_max_age_minutes between 1 and 1440),
        created_at timestamptz not null,
        created_by_type text not null,
        created_by_id uuid,
        constraint mfa_policy_versions_tenant_id_version_unique unique (tenant_id, version)
      );
    `);
  }

  override down(): void {
    this.addSql('drop table if exists mfa_policy_versions;');
  }
}

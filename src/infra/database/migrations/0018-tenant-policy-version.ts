import { Migration } from '@mikro-orm/migrations';

/**
 * The version of the MFA policy in force, on the tenant's row: the query that authenticates a request
 * reads it with the session, so a node's cached policy is known to be current (or not) at no extra cost.
 */
export class Migration0018TenantPolicyVersion extends Migration {
  override name = '0018-tenant-policy-version';

  override up(): void {
    this.addSql('alter table tenants add column mfa_policy_version integer not null default 0;');
    this.addSql(
      `update tenants t set mfa_policy_version = v.version
         from (select tenant_id, max(version) as version from mfa_policy_versions group by tenant_id) v
        where v.tenant_id = t.id;`,
    );
  }

  override down(): void {
    this.addSql('alter table tenants drop column if exists mfa_policy_version;');
  }
}

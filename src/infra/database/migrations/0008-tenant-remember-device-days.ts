import { Migration } from '@mikro-orm/migrations';

/** How long a tenant's remembered devices skip the second factor: 0 turns remembering off. */
export class Migration0008TenantRememberDeviceDays extends Migration {
  override name = '0008-tenant-remember-device-days';

  override up(): void {
    this.addSql(`
      alter table tenants add column remember_device_days integer not null default 30
        constraint tenants_remember_device_days_range check (remember_device_days between 0 and 365);
    `);
  }

  override down(): void {
    this.addSql('alter table tenants drop column if exists remember_device_days;');
  }
}

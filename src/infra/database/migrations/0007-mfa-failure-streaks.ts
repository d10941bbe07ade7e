import { Migration } from '@mikro-orm/migrations';

/** Consecutive failed second-factor checks per user, kept in the database so a Redis loss forgets nothing. */
export class Migration0007MfaFailureStreaks extends Migration {
  override name = '0007-mfa-failure-streaks';

  override up(): void {
    this.addSql(`
      create table mfa_failure_streaks (
        user_id uuid primary key references users(id) on delete cascade,
        tenant_id uuid not null references tenants(id) on delete cascade,
        consecutive_failures integer not null,
        blocked_until timestamptz,
        locked_at timestamptz,
        updated_at timestamptz not null
      );
    `);
  }

  override down(): void {
    this.addSql('drop table if exists mfa_failure_streaks;');
  }
}

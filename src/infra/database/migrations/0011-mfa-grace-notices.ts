import { Migration } from '@mikro-orm/migrations';

/**
 * What the grace-period workers did for each user and deadline: a reminder sent, or the deadline
 * enforced. The unique key is the idempotency check behind the jobs' ids: whichever run inserts the
 * row does the work, so a retried or duplicated job never mails or revokes twice.
 */
export class Migration0011MfaGraceNotices extends Migration {
  override name = '0011-mfa-grace-notices';

  override up(): void {
    this.addSql(`
      create table mfa_grace_notices (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        user_id uuid not null references users(id) on delete cascade,
        kind text not null,
        deadline timestamptz not null,
        created_at timestamptz not null,
        constraint mfa_grace_notices_user_kind_deadline_unique unique (user_id, kind, deadline)
      );
    `);
  }

  override down(): void {
    this.addSql('drop table if exists mfa_grace_notices;');
  }
}

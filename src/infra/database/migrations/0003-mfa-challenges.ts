import { Migration } from '@mikro-orm/migrations';

/** Login challenges: the password was right, a second factor is due; single use, short-lived. */
export class Migration0003MfaChallenges extends Migration {
  override name = '0003-mfa-challenges';

  override up(): void {
    this.addSql(`
      create table mfa_challenges (
        id uuid primary key,
        tenant_id uuid not null references tenants(id) on delete cascade,
        user_id uuid not null references users(id) on delete cascade,
        methods text[] not null,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        consumed_at timestamptz
      );
      create index mfa_challenges_user_id_index on mfa_challenges (user_id);
      create index mfa_challenges_expires_at_index on mfa_challenges (expires_at);
    `);
  }

  override down(): void {
    this.addSql('drop table if exists mfa_challenges;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * What a user's own activity page reads (`userActivityOf`): their entries as actor and as target, newest
 * first, within their tenant's chain. Partial, so only entries naming a user are indexed.
 */
export class Migration0025AuditUserActivityIndexes extends Migration {
  override name = '0025-audit-user-activity-indexes';

  override up(): void {
    this.addSql(
      `create index audit_events_user_actor_index on audit_events (chain_key, actor_id, seq) where actor_type = 'user';`,
    );
    this.addSql(
      `create index audit_events_user_target_index on audit_events (chain_key, target_id, seq) where target_type = 'user';`,
    );
  }

  override down(): void {
    this.addSql('drop index if exists audit_events_user_actor_index;');
    this.addSql('drop index if exists audit_events_user_target_index;');
  }
}

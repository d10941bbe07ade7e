import { Migration } from '@mikro-orm/migrations';

/** What the clean-up job looks for: spent e-mail codes, abandoned enrolments, delivered outbox rows. */
export class Migration0008PurgeIndexes extends Migration {
  override name = '0008-purge-indexes';

  override up(): void {
    this.addSql(`
      create index email_codes_expires_at_index on email_codes (expires_at);
      create index factors_pending_created_at_index on factors (created_at) where status = 'pending';
      create index outbox_messages_delivered_at_index on outbox_messages (delivered_at) where delivered_at is not null;
    `);
  }

  override down(): void {
    this.addSql(`
      drop index if exists email_codes_expires_at_index;
      drop index if exists factors_pending_created_at_index;
      drop index if exists outbox_messages_delivered_at_index;
    `);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * The user an outbox row's mail is for, when its `ref_id` does not say: a security notice refers to
 * an audit entry, and one entry (an admin forgetting every device) can concern many users.
 */
export class Migration0017OutboxRecipient extends Migration {
  override name = '0017-outbox-recipient';

  override up(): void {
    this.addSql('alter table outbox_messages add column user_id uuid;');
  }

  override down(): void {
    this.addSql('alter table outbox_messages drop column if exists user_id;');
  }
}

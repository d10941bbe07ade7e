import { Migration } from '@mikro-orm/migrations';

/** What the worker's sweep reads to find jobs Redis lost: rows enqueued and not delivered, oldest first. */
export class Migration0024OutboxUndeliveredIndex extends Migration {
  override name = '0024-outbox-undelivered-index';

  override up(): void {
    this.addSql(
      'create index outbox_messages_undelivered_index on outbox_messages (relayed_at, id) where delivered_at is null;',
    );
  }

  override down(): void {
    this.addSql('drop index if exists outbox_messages_undelivered_index;');
  }
}

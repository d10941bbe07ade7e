import { TenantScope } from '../../common/tenant-scope.js';
import type { MailMessage, MailTransport } from '../mail/mail-transport.js';
import type { OutboxMessage } from './outbox-message.entity.js';
import type { OutboxRelay } from './outbox-relay.js';

export type MailDelivery = 'sent' | 'already_delivered' | 'stale';

/**
 * Sends the e-mail an outbox row stands for, unless it was delivered already; `compose` returns null
 * when what the row is about is gone (the row is then closed unsent). A crash between sending and
 * marking the row sends the mail again on retry: a second copy of a notice is harmless, a lost one not.
 */
export async function deliverMailOnce(
  outbox: OutboxRelay,
  transport: MailTransport,
  outboxId: string,
  compose: (row: OutboxMessage) => Promise<MailMessage | null>,
): Promise<{ delivery: MailDelivery }> {
  const row = await outbox.find(outboxId);
  if (!row || row.deliveredAt) return { delivery: 'already_delivered' };
  // The row names its tenant: what the mail is about is read inside it.
  const mail = row.tenantId ? await TenantScope.run(row.tenantId, () => compose(row)) : await compose(row);
  if (mail) await transport.send(mail);
  await outbox.markDelivered(row.id);
  return { delivery: mail ? 'sent' : 'stale' };
}

import { Command } from '@nestjs/cqrs';
import type { MailDelivery } from '../../infra/outbox/deliver-mail-once.js';

/**
 * Tells a user by e-mail of a change to their account's security, composed from the change's audit
 * entry. Idempotent: a delivered outbox row is not sent again.
 */
export class DeliverSecurityNoticeCommand extends Command<{ delivery: MailDelivery }> {
  constructor(readonly outboxId: string) {
    super();
  }
}

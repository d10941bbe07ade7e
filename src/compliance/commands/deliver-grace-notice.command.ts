import { Command } from '@nestjs/cqrs';
import type { MailDelivery } from '../../infra/outbox/deliver-mail-once.js';

/** Mails a grace-period notice (a reminder of the deadline, or its enforcement). Idempotent. */
export class DeliverGraceNoticeCommand extends Command<{ delivery: MailDelivery }> {
  constructor(readonly outboxId: string) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { MailDelivery } from '../../../infra/outbox/deliver-mail-once.js';

/** Mails the MFA reset link an outbox row stands for; the link's token is made here, at send time. */
export class DeliverMfaResetLinkCommand extends Command<{ delivery: MailDelivery }> {
  constructor(readonly outboxId: string) {
    super();
  }
}

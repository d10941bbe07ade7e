import { Command } from '@nestjs/cqrs';

export type EmailCodeDelivery = 'sent' | 'already_delivered' | 'stale';

/**
 * Delivers the e-mail code an outbox row stands for: generates the digits, stores their hash, mails
 * them. Idempotent: a delivered row is not sent again; a code that was replaced, used or has expired
 * is not sent at all.
 */
export class DeliverEmailCodeCommand extends Command<{ delivery: EmailCodeDelivery }> {
  constructor(readonly outboxId: string) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { MailDelivery } from '../../infra/outbox/deliver-mail-once.js';

/**
 * Tells a user by e-mail that their multi-factor sign-in was locked after too many wrong codes.
 * Idempotent: a delivered outbox row is not sent again.
 */
export class DeliverMfaLockedNoticeCommand extends Command<{ delivery: MailDelivery }> {
  constructor(readonly outboxId: string) {
    super();
  }
}

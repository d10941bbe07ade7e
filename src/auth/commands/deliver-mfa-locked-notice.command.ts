import { Command } from '@nestjs/cqrs';

export type NoticeDelivery = 'sent' | 'already_delivered' | 'stale';

/**
 * Tells a user by e-mail that their multi-factor sign-in was locked after too many wrong codes.
 * Idempotent: a delivered outbox row is not sent again.
 */
export class DeliverMfaLockedNoticeCommand extends Command<{ delivery: NoticeDelivery }> {
  constructor(readonly outboxId: string) {
    super();
  }
}

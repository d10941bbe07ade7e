import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DeliverMfaLockedNoticeCommand, DeliverSecurityNoticeCommand } from '../src/auth/index.js';
import { DeliverGraceNoticeCommand } from '../src/compliance/index.js';
import { DeliverEmailCodeCommand, DeliverMfaResetLinkCommand } from '../src/factors/index.js';
import { OutboxRelay } from '../src/infra/outbox/outbox-relay.js';
import { OutboxRequeue } from '../src/infra/outbox/outbox-requeue.js';
import { OnJob } from '../src/infra/queues/on-job.decorator.js';

/** The `email` queue: thin, each job is one command; retried with the queue's exponential backoff. */
@Injectable()
export class EmailProcessor {
  constructor(
    private readonly commands: CommandBus,
    private readonly outbox: OutboxRelay,
    private readonly requeue: OutboxRequeue,
  ) {}

  @OnJob('email', 'send-email-code')
  async sendEmailCode({ outboxId }: { outboxId: string }) {
    return this.commands.execute(new DeliverEmailCodeCommand(outboxId));
  }

  @OnJob('email', 'send-mfa-locked-notice')
  async sendMfaLockedNotice({ outboxId }: { outboxId: string }) {
    return this.commands.execute(new DeliverMfaLockedNoticeCommand(outboxId));
  }

  @OnJob('email', 'send-mfa-grace-notice')
  async sendMfaGraceNotice({ outboxId }: { outboxId: string }) {
    return this.commands.execute(new DeliverGraceNoticeCommand(outboxId));
  }

  @OnJob('email', 'send-mfa-reset-link')
  async sendMfaResetLink({ outboxId }: { outboxId: string }) {
    return this.commands.execute(new DeliverMfaResetLinkCommand(outboxId));
  }

  @OnJob('email', 'send-security-notice')
  async sendSecurityNotice({ outboxId }: { outboxId: string }) {
    return this.commands.execute(new DeliverSecurityNoticeCommand(outboxId));
  }

  /**
   * Enqueues outbox rows whose after-commit relay never happened (the api died between the two), and
   * those whose job Redis lost after the relay (a failover to a replica that had not received it).
   */
  @OnJob('email', 'outbox-sweep')
  async sweepOutbox(): Promise<{ relayed: number; requeued: number }> {
    return { relayed: await this.outbox.sweep(), requeued: await this.requeue.requeueLost() };
  }
}

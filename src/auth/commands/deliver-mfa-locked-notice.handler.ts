import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UsersDirectory } from '../../identity/users-directory.js';
import { MailTemplates } from '../../infra/mail/mail-templates.js';
import { MailTransport } from '../../infra/mail/mail-transport.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { DeliverMfaLockedNoticeCommand, type NoticeDelivery } from './deliver-mfa-locked-notice.command.js';

/**
 * Mails the lock notice an outbox row stands for. A crash between sending and marking the row
 * delivered sends the notice again on retry: a second copy of a warning is harmless, a lost one is not.
 */
@CommandHandler(DeliverMfaLockedNoticeCommand)
export class DeliverMfaLockedNoticeHandler implements ICommandHandler<DeliverMfaLockedNoticeCommand> {
  constructor(
    private readonly outbox: OutboxRelay,
    private readonly directory: UsersDirectory,
    private readonly templates: MailTemplates,
    private readonly transport: MailTransport,
  ) {}

  async execute({ outboxId }: DeliverMfaLockedNoticeCommand): Promise<{ delivery: NoticeDelivery }> {
    const row = await this.outbox.find(outboxId);
    if (!row || row.deliveredAt) return { delivery: 'already_delivered' };
    const user = row.tenantId ? await this.directory.findUser(row.tenantId, row.refId) : null;
    const tenant = row.tenantId ? await this.directory.findTenant(row.tenantId) : null;
    if (!user || !tenant) {
      await this.outbox.markDelivered(row.id);
      return { delivery: 'stale' };
    }
    const mail = this.templates.render('mfa-locked', {
      productName: tenant.name,
      lockedAt: row.createdAt.toISOString(),
    });
    await this.transport.send({ to: user.email, subject: `${tenant.name}: your sign-in codes are locked`, ...mail });
    await this.outbox.markDelivered(row.id);
    return { delivery: 'sent' };
  }
}

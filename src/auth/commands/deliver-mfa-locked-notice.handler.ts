import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UsersDirectory } from '../../identity/index.js';
import { MailTemplates } from '../../infra/mail/mail-templates.js';
import { MailTransport } from '../../infra/mail/mail-transport.js';
import { deliverMailOnce } from '../../infra/outbox/deliver-mail-once.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { DeliverMfaLockedNoticeCommand } from './deliver-mfa-locked-notice.command.js';

/** Mails the lock notice an outbox row stands for (the row's `refId` is the locked user). */
@CommandHandler(DeliverMfaLockedNoticeCommand)
export class DeliverMfaLockedNoticeHandler implements ICommandHandler<DeliverMfaLockedNoticeCommand> {
  constructor(
    private readonly outbox: OutboxRelay,
    private readonly directory: UsersDirectory,
    private readonly templates: MailTemplates,
    private readonly transport: MailTransport,
  ) {}

  execute({ outboxId }: DeliverMfaLockedNoticeCommand) {
    return deliverMailOnce(this.outbox, this.transport, outboxId, async (row) => {
      const member = row.tenantId ? await this.directory.findMember(row.tenantId, row.refId) : null;
      if (!member) return null;
      const { user, tenant } = member;
      const body = this.templates.render('mfa-locked', {
        productName: tenant.name,
        lockedAt: row.createdAt.toISOString(),
      });
      return { to: user.email, subject: `${tenant.name}: your sign-in codes are locked`, ...body };
    });
  }
}

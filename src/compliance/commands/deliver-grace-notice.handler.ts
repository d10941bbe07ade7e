import { MikroORM } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../common/app-config.js';
import { Clock } from '../../common/clock.js';
import { UsersDirectory } from '../../identity/index.js';
import { MailTemplates } from '../../infra/mail/mail-templates.js';
import { MailTransport } from '../../infra/mail/mail-transport.js';
import { deliverMailOnce } from '../../infra/outbox/deliver-mail-once.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { MfaGraceNotice } from '../grace/mfa-grace-notice.entity.js';
import { DeliverGraceNoticeCommand } from './deliver-grace-notice.command.js';

const DAY_MS = 24 * 60 * 60_000;

@CommandHandler(DeliverGraceNoticeCommand)
export class DeliverGraceNoticeHandler implements ICommandHandler<DeliverGraceNoticeCommand> {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly outbox: OutboxRelay,
    private readonly directory: UsersDirectory,
    private readonly templates: MailTemplates,
    private readonly transport: MailTransport,
  ) {}

  execute({ outboxId }: DeliverGraceNoticeCommand) {
    return deliverMailOnce(this.outbox, this.transport, outboxId, async (row) => {
      const notices = this.orm.em.fork().getRepository(MfaGraceNotice);
      const notice = row.tenantId ? await notices.findInTenant(row.tenantId, row.refId) : null;
      const member = notice ? await this.directory.findMember(notice.tenantId, notice.userId) : null;
      if (!notice || !member) return null;
      const { user, tenant } = member;
      const { deadline } = notice;
      const signInUrl = this.config.publicUrl;
      if (notice.isEnforcement()) {
        const body = this.templates.render('mfa-grace-expired', { productName: tenant.name, signInUrl });
        return { to: user.email, subject: `${tenant.name}: set up two-step sign-in to continue`, ...body };
      }
      const daysLeft = Math.max(0, Math.ceil((deadline.getTime() - this.clock.now().getTime()) / DAY_MS));
      const body = this.templates.render('mfa-grace-reminder', {
        productName: tenant.name,
        deadline: deadline.toISOString(),
        daysLeft,
        signInUrl,
      });
      return {
        to: user.email,
        subject: `${tenant.name}: set up two-step sign-in by ${deadline.toISOString().slice(0, 10)}`,
        ...body,
      };
    });
  }
}

import { MikroORM } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../common/app-config.js';
import { Clock } from '../../common/clock.js';
import { UsersDirectory } from '../../identity/index.js';
import { MailTemplates } from '../../infra/mail/mail-templates.js';
import { MailTransport } from '../../infra/mail/mail-transport.js';
import { deliverMailOnce } from '../../infra/outbox/deliver-mail-once.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { ENFORCED } from '../grace/grace-period-actions.js';
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
      const [notice] = await this.orm.em
        .fork()
        .execute<{ tenant_id: string; user_id: string; kind: string; deadline_ms: string }[]>(
          `select tenant_id, user_id, kind, (extract(epoch from deadline) * 1000)::bigint as deadline_ms
             from mfa_grace_notices where id = ?`,
          [row.refId],
        );
      const user = notice ? await this.directory.findUser(notice.tenant_id, notice.user_id) : null;
      const tenant = notice ? await this.directory.findTenant(notice.tenant_id) : null;
      if (!notice || !user || !tenant) return null;
      const deadline = new Date(Number(notice.deadline_ms));
      const signInUrl = this.config.publicUrl;
      if (notice.kind === ENFORCED) {
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

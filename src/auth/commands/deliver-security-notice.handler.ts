import { MikroORM } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditEvent } from '../../audit/index.js';
import type { ActorType } from '../../common/actor.js';
import { AppConfig } from '../../common/app-config.js';
import { UsersDirectory } from '../../identity/index.js';
import { MailTemplates } from '../../infra/mail/mail-templates.js';
import { MailTransport } from '../../infra/mail/mail-transport.js';
import { deliverMailOnce } from '../../infra/outbox/deliver-mail-once.js';
import { OutboxRelay } from '../../infra/outbox/outbox-relay.js';
import { deviceInfoOf } from '../../sessions/index.js';
import { SECURITY_NOTICE_WORDING } from '../security-notice-wording.js';
import { DeliverSecurityNoticeCommand } from './deliver-security-notice.command.js';

const READABLE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' });

const DONE_BY: Record<ActorType, string> = {
  user: 'an administrator of your organisation',
  api_key: 'an application of your organisation (API key)',
  operator: 'the operator of this service',
  system: 'this service',
  anonymous: 'someone not signed in',
};

/** Mails the security notice an outbox row stands for: `refId` is the change's audit entry, `userId` whom to tell. */
@CommandHandler(DeliverSecurityNoticeCommand)
export class DeliverSecurityNoticeHandler implements ICommandHandler<DeliverSecurityNoticeCommand> {
  constructor(
    private readonly orm: MikroORM,
    private readonly config: AppConfig,
    private readonly outbox: OutboxRelay,
    private readonly directory: UsersDirectory,
    private readonly templates: MailTemplates,
    private readonly transport: MailTransport,
  ) {}

  execute({ outboxId }: DeliverSecurityNoticeCommand) {
    return deliverMailOnce(this.outbox, this.transport, outboxId, async (row) => {
      if (!row.tenantId || !row.userId) return null;
      const entry = await this.orm.em.fork().findOne(AuditEvent, { id: row.refId, tenantId: row.tenantId });
      const wording = entry ? SECURITY_NOTICE_WORDING[entry.action] : undefined;
      const member = await this.directory.findMember(row.tenantId, row.userId);
      if (!entry || !wording || !member) return null;
      const { user, tenant } = member;
      const device = deviceInfoOf({ ip: entry.ip, userAgent: entry.userAgent, location: null });
      const byOther = !(entry.actorType === 'user' && entry.actorId === user.id);
      const body = this.templates.render('security-notice', {
        productName: tenant.name,
        what: wording.what(entry.details),
        whenUtc: `${entry.occurredAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`,
        whenReadable: `${READABLE.format(entry.occurredAt)} UTC`,
        byOther,
        by: DONE_BY[entry.actorType],
        device: [device.browser, device.os && `on ${device.os}`].filter(Boolean).join(' ') || 'an unknown device',
        ip: entry.ip ?? 'unknown',
        location: null,
        signInUrl: this.config.publicUrl,
      });
      return { to: user.email, subject: `${tenant.name}: ${wording.subject}`, ...body };
    });
  }
}

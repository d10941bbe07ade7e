import { MikroORM } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '../../../common/app-config.js';
import { Clock } from '../../../common/clock.js';
import { hashToken, newOpaqueToken } from '../../../common/crypto/tokens.js';
import { UsersDirectory } from '../../../identity/index.js';
import { MailTemplates } from '../../../infra/mail/mail-templates.js';
import { MailTransport } from '../../../infra/mail/mail-transport.js';
import { deliverMailOnce } from '../../../infra/outbox/deliver-mail-once.js';
import { OutboxRelay } from '../../../infra/outbox/outbox-relay.js';
import { MFA_RESET_TTL_MS, MfaReset } from '../mfa-reset.entity.js';
import { DeliverMfaResetLinkCommand } from './deliver-mfa-reset-link.command.js';

export const MFA_RESET_TOKEN_PREFIX = 'sgr_';

/**
 * The token is generated when the mail is sent and only its hash is stored: it is never in the
 * database, the outbox or a job. A retry after a crash mails a new token and replaces the hash, so
 * only the last link mailed works.
 */
@CommandHandler(DeliverMfaResetLinkCommand)
export class DeliverMfaResetLinkHandler implements ICommandHandler<DeliverMfaResetLinkCommand> {
  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly outbox: OutboxRelay,
    private readonly directory: UsersDirectory,
    private readonly templates: MailTemplates,
    private readonly transport: MailTransport,
  ) {}

  execute({ outboxId }: DeliverMfaResetLinkCommand) {
    return deliverMailOnce(this.outbox, this.transport, outboxId, async (row) => {
      const token = newOpaqueToken(MFA_RESET_TOKEN_PREFIX);
      const resets = this.orm.em.fork().getRepository(MfaReset);
      // A reset link's row always carries its tenant.
      const reset = row.tenantId
        ? await resets.storeLinkToken(row.tenantId, row.refId, hashToken(token), this.clock.now())
        : null;
      const member = reset ? await this.directory.findMember(reset.tenantId, reset.userId) : null;
      if (!member) return null;
      const { user, tenant } = member;
      // The page that redeems it, with the token in the fragment: a browser never sends a fragment to any
      // server (no access or proxy log holds it) nor in a Referer; the page's script moves it into its form.
      const link = new URL('/account/mfa-reset', this.config.publicUrl);
      link.hash = new URLSearchParams({ token }).toString();
      const body = this.templates.render('mfa-reset-link', {
        productName: tenant.name,
        link: link.toString(),
        hours: MFA_RESET_TTL_MS / 3_600_000,
      });
      return { to: user.email, subject: `${tenant.name}: reset your two-step sign-in`, ...body };
    });
  }
}

import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/index.js';
import { IdentityModule } from '../../identity/index.js';
import { MailModule } from '../../infra/mail/mail.module.js';
import { OutboxModule } from '../../infra/outbox/outbox.module.js';
import { SessionsModule } from '../../sessions/index.js';
import { DeliverMfaResetLinkHandler } from './commands/deliver-mfa-reset-link.handler.js';
import { OpenMfaResetHandler } from './commands/open-mfa-reset.handler.js';
import { RequestMfaResetHandler } from './commands/request-mfa-reset.handler.js';
import { MfaResetController } from './mfa-reset.controller.js';

/**
 * An admin's MFA reset: the request, the mailed single-use link, and the enrol-only session it opens.
 * The first factor verified in that session replaces the old ones (see mfa-reset-completion.ts, called
 * from the factor verification).
 */
@Module({
  imports: [AuditModule, IdentityModule, SessionsModule, OutboxModule, MailModule],
  controllers: [MfaResetController],
  providers: [RequestMfaResetHandler, DeliverMfaResetLinkHandler, OpenMfaResetHandler],
})
export class MfaResetModule {}

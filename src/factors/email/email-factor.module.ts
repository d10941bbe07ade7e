import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/index.js';
import { IdentityModule } from '../../identity/index.js';
import { MailModule } from '../../infra/mail/mail.module.js';
import { OutboxModule } from '../../infra/outbox/outbox.module.js';
import { DeliverEmailCodeHandler } from './commands/deliver-email-code.handler.js';
import { EnrollEmailFactorHandler } from './commands/enroll-email-factor.handler.js';
import { PolicyModule } from '../../policy/index.js';
import { EnrolmentProof } from '../enrolment-proof.js';
import { EmailCodeHasher } from './email-code-hasher.js';
import { EmailCodes } from './email-codes.js';
import { EmailFactorController } from './email-factor.controller.js';

/** E-mail codes: enrolment, the codes themselves, and their delivery through the outbox and the `email` queue. */
@Module({
  imports: [AuditModule, IdentityModule, OutboxModule, MailModule, PolicyModule],
  controllers: [EmailFactorController],
  providers: [EmailCodeHasher, EmailCodes, EnrollEmailFactorHandler, DeliverEmailCodeHandler, EnrolmentProof],
  exports: [EmailCodes, OutboxModule, EnrolmentProof],
})
export class EmailFactorModule {}

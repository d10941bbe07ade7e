import { Module } from '@nestjs/common';
import { OutboxModule } from '../infra/outbox/outbox.module.js';
import { AuditLog } from './audit-log.js';
import { AuditVerifier } from './audit-verifier.js';
import { AuditController } from './audit.controller.js';
import { AuditedAttempt } from './audited.js';
import { ListAuditEventsHandler } from './queries/list-audit-events.handler.js';
import { SecurityNotices } from './security-notices.js';

@Module({
  imports: [OutboxModule],
  controllers: [AuditController],
  providers: [AuditLog, AuditedAttempt, AuditVerifier, ListAuditEventsHandler, SecurityNotices],
  exports: [AuditLog, AuditedAttempt, AuditVerifier, SecurityNotices],
})
export class AuditModule {}

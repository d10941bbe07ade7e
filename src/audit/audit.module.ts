import { Module } from '@nestjs/common';
import { AuditLog } from './audit-log.js';
import { AuditVerifier } from './audit-verifier.js';
import { AuditController } from './audit.controller.js';
import { AuditedAttempt } from './audited.js';
import { ListAuditEventsHandler } from './queries/list-audit-events.handler.js';

@Module({
  controllers: [AuditController],
  providers: [AuditLog, AuditedAttempt, AuditVerifier, ListAuditEventsHandler],
  exports: [AuditLog, AuditedAttempt, AuditVerifier],
})
export class AuditModule {}

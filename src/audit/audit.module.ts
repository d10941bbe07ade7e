import { Module } from '@nestjs/common';
import { AuditLog } from './audit-log.js';
import { AuditedAttempt } from './audited.js';

@Module({
  providers: [AuditLog, AuditedAttempt],
  exports: [AuditLog, AuditedAttempt],
})
export class AuditModule {}

import { Module } from '@nestjs/common';
import { OutboxModule } from '../infra/outbox/outbox.module.js';
import { AuditLog } from './audit-log.js';
import { AuditVerifier } from './audit-verifier.js';
import { AuditController } from './audit.controller.js';
import { AuditedAttempt } from './audited.js';
import { AuditCheckpointsController } from './checkpoints/audit-checkpoints.controller.js';
import { AuditKeysController } from './checkpoints/audit-keys.controller.js';
import { AuditCheckpointReader } from './checkpoints/checkpoint-reader.js';
import { CheckpointSigner } from './checkpoints/checkpoint-signer.js';
import { TakeAuditCheckpointsHandler } from './checkpoints/commands/take-audit-checkpoints.handler.js';
import { ListAuditCheckpointsHandler } from './checkpoints/queries/list-audit-checkpoints.handler.js';
import { ListAuditEventsHandler } from './queries/list-audit-events.handler.js';
import { SecurityNotices } from './security-notices.js';

@Module({
  imports: [OutboxModule],
  controllers: [AuditController, AuditCheckpointsController, AuditKeysController],
  providers: [
    AuditLog,
    AuditedAttempt,
    AuditVerifier,
    ListAuditEventsHandler,
    SecurityNotices,
    CheckpointSigner,
    AuditCheckpointReader,
    TakeAuditCheckpointsHandler,
    ListAuditCheckpointsHandler,
  ],
  exports: [AuditLog, AuditedAttempt, AuditVerifier, SecurityNotices, AuditCheckpointReader],
})
export class AuditModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../src/audit/index.js';
import { QueueWorkersModule } from '../src/infra/queues/queue-workers.module.js';
import { QueuesModule } from '../src/infra/queues/queues.module.js';
import { OutboxModule } from '../src/infra/outbox/outbox.module.js';
import { EmailProcessor } from './email.processor.js';
import { OutboxSweepSchedule } from './outbox-sweep.schedule.js';
import { SessionCleanupProcessor } from './session-cleanup.processor.js';
import { MaintenanceSchedule } from './maintenance.schedule.js';
import { MfaCleanupProcessor } from './mfa-cleanup.processor.js';
import { GraceProcessor } from './grace.processor.js';
import { AuditStreamProcessor } from './audit-stream.processor.js';
import { AuditStreamWaker } from './audit-stream.waker.js';
import { AuditCheckpointProcessor } from './audit-checkpoint.processor.js';
import { AuditCheckpointSchedule } from './audit-checkpoint.schedule.js';
import { AuditRetentionProcessor } from './audit-retention.processor.js';
import { AuditRetentionSchedule } from './audit-retention.schedule.js';

/**
 * The BullMQ processors and their schedules. Added to AppModule by the worker process and by the
 * all-in-one process; the command handlers they run live in their slices.
 */
@Module({
  imports: [QueuesModule, QueueWorkersModule, OutboxModule, AuditModule],
  providers: [
    SessionCleanupProcessor,
    MfaCleanupProcessor,
    GraceProcessor,
    MaintenanceSchedule,
    EmailProcessor,
    OutboxSweepSchedule,
    AuditStreamProcessor,
    AuditStreamWaker,
    AuditCheckpointProcessor,
    AuditCheckpointSchedule,
    AuditRetentionProcessor,
    AuditRetentionSchedule,
  ],
})
export class WorkersModule {}

import { Module } from '@nestjs/common';
import { QueueWorkersModule } from '../src/infra/queues/queue-workers.module.js';
import { QueuesModule } from '../src/infra/queues/queues.module.js';
import { SessionCleanupProcessor } from './session-cleanup.processor.js';
import { SessionCleanupSchedule } from './session-cleanup.schedule.js';

/**
 * The BullMQ processors and their schedules. Added to AppModule by the worker process and by the
 * all-in-one process; the command handlers they run live in their slices.
 */
@Module({
  imports: [QueuesModule, QueueWorkersModule],
  providers: [SessionCleanupProcessor, SessionCleanupSchedule],
})
export class WorkersModule {}

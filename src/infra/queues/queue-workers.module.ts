import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobRegistry } from './job-registry.js';
import { QueueWorkers } from './queue-workers.js';
import { QueuesModule } from './queues.module.js';

/**
 * The consumer side: finds the `@OnJob` handlers of the whole application, refuses to boot unless
 * they match the catalog, and runs them on BullMQ workers.
 */
@Module({
  imports: [DiscoveryModule, QueuesModule],
  providers: [JobRegistry, QueueWorkers],
})
export class QueueWorkersModule {}

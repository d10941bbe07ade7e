import { Global, Module } from '@nestjs/common';
import { JobQueues } from './job-queues.js';

/** Provider token: every BullMQ `Queue` of the catalog (`Queue[]`), e.g. for queue-depth metrics. */
export const STEPGUARD_QUEUES = 'STEPGUARD_QUEUES';

/** The producer side of the queues, for the api (enqueue, metrics) and the workers (schedules). */
@Global()
@Module({
  providers: [
    JobQueues,
    { provide: STEPGUARD_QUEUES, inject: [JobQueues], useFactory: (queues: JobQueues) => queues.all() },
  ],
  exports: [JobQueues, STEPGUARD_QUEUES],
})
export class QueuesModule {}

import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { AuditCheckpointsTakenEvent } from '../checkpoints/events/audit-checkpoints-taken.event.js';
import { StreamWake } from './stream-wake.js';

/** New checkpoints move no seq, so no commit notification wakes the sinks for them: this does. */
@EventsHandler(AuditCheckpointsTakenEvent)
export class WakeOnCheckpointsHandler implements IEventHandler<AuditCheckpointsTakenEvent> {
  private readonly logger = new Logger('AuditStream');

  constructor(private readonly wake: StreamWake) {}

  async handle({ chainKeys }: AuditCheckpointsTakenEvent): Promise<void> {
    // Best effort: the tick delivers them anyway.
    await this.wake
      .chains(chainKeys)
      .catch((e: Error) => this.logger.warn(`waking sinks for checkpoints: ${e.message}`));
  }
}

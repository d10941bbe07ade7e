import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Counter, Registry } from 'prom-client';
import { AccessDeniedEvent } from '../auth/index.js';

/** `stepguard_access_denied_total{reason}`: every refused request, audited or not (bad tokens only here). */
@EventsHandler(AccessDeniedEvent)
export class AccessMetricsHandler implements IEventHandler<AccessDeniedEvent> {
  private readonly denied: Counter<'reason'>;

  constructor(registry: Registry) {
    this.denied = new Counter({
      name: 'stepguard_access_denied_total',
      help: 'Requests and socket handshakes refused by the access rules, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  handle(event: AccessDeniedEvent): void {
    this.denied.inc({ reason: event.reason });
  }
}

import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Counter, Registry } from 'prom-client';
import { LoginFailedEvent, LoginSucceededEvent } from '../auth/index.js';

/** `stepguard_logins_total{outcome}`: `success`, or the failure reason. */
@EventsHandler(LoginSucceededEvent, LoginFailedEvent)
export class LoginMetricsHandler implements IEventHandler<LoginSucceededEvent | LoginFailedEvent> {
  private readonly logins: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.logins = new Counter({
      name: 'stepguard_logins_total',
      help: 'Login attempts by outcome (success or the failure reason)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    // A series that exists from the start lets rate() see the first success.
    this.logins.inc({ outcome: 'success' }, 0);
  }

  handle(event: LoginSucceededEvent | LoginFailedEvent): void {
    this.logins.inc({ outcome: event instanceof LoginFailedEvent ? event.reason : 'success' });
  }
}

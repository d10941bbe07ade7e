import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Counter, Registry } from 'prom-client';
import { SecondFactorRefusedEvent } from '../factors/index.js';

/**
 * `stepguard_second_factor_refusals_total{action,code,audited}`: every refused challenge
 * verification, step-up and e-mail code request, including those the audit log leaves out (only the
 * first refusal of a window is audited): a flood shows here, not in the log.
 */
@EventsHandler(SecondFactorRefusedEvent)
export class SecondFactorMetricsHandler implements IEventHandler<SecondFactorRefusedEvent> {
  private readonly refusals: Counter<'action' | 'code' | 'audited'>;

  constructor(registry: Registry) {
    this.refusals = new Counter({
      name: 'stepguard_second_factor_refusals_total',
      help: 'Refused second-factor attempts by audit action, error code and whether they were audited',
      labelNames: ['action', 'code', 'audited'],
      registers: [registry],
    });
  }

  handle({ action, code, audited }: SecondFactorRefusedEvent): void {
    this.refusals.inc({ action, code, audited: String(audited) });
  }
}

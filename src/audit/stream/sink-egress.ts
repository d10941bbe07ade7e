import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/app-config.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { EgressGuard } from './egress/egress-guard.js';
import { EgressRefusedError } from './egress/egress-refused.error.js';
import { endpointOf, type SinkKind, type SinkSettings } from './sink-settings.js';

/**
 * The deployment's egress guard, checked when a sink is saved (its URL or host, and what the name resolves
 * to now) and handed to the transports, which check again at every connection.
 */
@Injectable()
export class SinkEgress {
  readonly guard: EgressGuard;

  constructor(config: AppConfig) {
    this.guard = EgressGuard.fromEnv(config.env);
  }

  /** 400 `validation_failed` naming the field, for a sink the deployment may not send to. */
  async assertAllowed(kind: SinkKind, settings: SinkSettings): Promise<void> {
    const field = kind === 'syslog' ? 'host' : 'url';
    try {
      if (kind === 'syslog') {
        this.guard.checkTransportSecurity(true);
        await this.guard.resolveAllowed(this.guard.checkHost(endpointOf(kind, settings).host));
      } else {
        await this.guard.vetSinkUrl((settings as { url: string }).url);
      }
    } catch (error) {
      if (error instanceof EgressRefusedError) throw error.toValidationError(field);
      const message = `the host does not resolve (${(error as NodeJS.ErrnoException).code ?? 'DNS error'})`;
      throw new DomainError('validation_failed', 'The request is not valid', { errors: [{ field, message }] });
    }
  }
}

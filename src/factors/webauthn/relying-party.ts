import { Injectable, Logger } from '@nestjs/common';
import type { WebauthnSettings } from '../../../config/index.js';
import { AppConfig } from '../../common/app-config.js';
import { DomainError } from '../../common/errors/domain-error.js';

export const passkeysUnavailable = (why: string) =>
  new DomainError('passkeys_unavailable', 'Passkeys are not available on this server', { debug: why });

/** This deployment's WebAuthn relying party (`WEBAUTHN_RP_ID`, `WEBAUTHN_ORIGINS`), checked at start-up. */
@Injectable()
export class RelyingParty {
  private readonly resolved: WebauthnSettings | { unavailable: string };

  constructor(config: AppConfig) {
    this.resolved = config.webauthn;
    if ('unavailable' in this.resolved) new Logger('Passkeys').warn(this.resolved.unavailable);
  }

  get available(): boolean {
    return !('unavailable' in this.resolved);
  }

  /** The relying party, or 409 `passkeys_unavailable` when this deployment cannot offer passkeys. */
  require(): WebauthnSettings {
    if ('unavailable' in this.resolved) throw passkeysUnavailable(this.resolved.unavailable);
    return this.resolved;
  }
}

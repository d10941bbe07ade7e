import { Injectable } from '@nestjs/common';
import { assertRecentlyAuthenticated, type PresenceProof, ReauthGate } from '../identity/index.js';
import { MfaPolicyStore } from './mfa-policy-store.js';

/** The re-auth rule with the window of the tenant's policy in force (`reauthMaxAgeMinutes`). */
@Injectable()
export class ReauthCheck extends ReauthGate {
  constructor(private readonly policies: MfaPolicyStore) {
    super();
  }

  /** 401 `reauth_required` unless the session's last password or factor check is within the window. */
  async assertRecent(tenantId: string, session: PresenceProof, now: Date): Promise<void> {
    const { settings } = await this.policies.current(tenantId);
    assertRecentlyAuthenticated(session, now, settings.reauthMaxAgeMinutes);
  }
}

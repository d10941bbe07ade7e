import type { Actor } from '../common/actor.js';
import { forbidden } from '../common/errors/domain-error.js';

/** What a session shows of its last check that the user is at the keyboard. */
export interface PresenceProof {
  authenticatedAt: Date;
  stepUpRequiredAt: Date | null;
}

/**
 * The tenant's re-auth window, as identity asks for it. The window is a setting of the MFA policy,
 * a slice above identity: identity states the check it needs here and the policy slice provides it
 * (`ReauthGateModule`), so identity never imports policy.
 */
export abstract class ReauthGate {
  /** 401 `reauth_required` unless the session's last password or factor check is within the window. */
  abstract assertRecent(tenantId: string, session: PresenceProof, now: Date): Promise<void>;

  /**
   * For a grant of power (a new API key, a new admin or manager): a user's session must be within
   * the window. The operator (the CLI, run by whoever holds the server) has no session to hold to it;
   * an API key is no session and cannot re-authenticate, so it may not grant power at all.
   */
  async assertCallerRecent(tenantId: string, actor: Actor, session: PresenceProof | null, now: Date) {
    if (actor.type === 'operator') return;
    if (!session) throw forbidden('Only a signed-in admin may do this, after confirming it is them');
    await this.assertRecent(tenantId, session, now);
  }
}

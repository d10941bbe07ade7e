import { DomainError } from '../common/errors/domain-error.js';
import type { PresenceProof } from './reauth-gate.js';

/**
 * Sensitive changes (removing a factor, new backup codes, a new password) need proof that the person
 * at the keyboard is the user, not just someone holding their session: a password or factor check no
 * older than `maxAgeMinutes` (`POST /v1/auth/step-up` renews it).
 */
export function assertRecentlyAuthenticated(session: PresenceProof, now: Date, maxAgeMinutes: number): void {
  // A session flagged by the Disconnect API is suspect until a factor is verified again, whatever its window.
  const fresh = now.getTime() - session.authenticatedAt.getTime() <= maxAgeMinutes * 60_000;
  if (fresh && !session.stepUpRequiredAt) return;
  throw new DomainError('reauth_required', `Confirm it is you: verify a factor (or your password) first`);
}

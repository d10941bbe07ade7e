import type { MfaPolicySettings } from '../policy/index.js';
import type { Session } from '../sessions/index.js';
import type { ConnectRefusal } from './socket-events.js';

/**
 * Whether a live session may open a socket now; the caller has already checked that it is live.
 * Enrol-only sessions never connect: they exist to add a factor, not to use the app.
 */
export function connectionRefusal(
  session: Session,
  policy: Pick<MfaPolicySettings, 'connectionPolicy' | 'reauthMaxAgeMinutes'>,
  now: Date,
): ConnectRefusal | null {
  if (session.enrollmentOnly) return 'unauthorized';
  if (session.stepUpRequiredAt) return 'step_up_required';
  if (policy.connectionPolicy.totpPriorConnection && !hasFreshFactorCheck(session, policy.reauthMaxAgeMinutes, now)) {
    return 'step_up_required';
  }
  return null;
}

/** A second factor verified in this session within the window; a remembered device or a password does not count. */
function hasFreshFactorCheck(session: Session, windowMinutes: number, now: Date): boolean {
  const at = session.mfaVerifiedAt;
  return at !== null && now.getTime() - at.getTime() <= windowMinutes * 60_000;
}

import type { MfaCompliance, MfaPolicySettings } from '../policy/index.js';
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
  const { totpPriorConnection, biometricPriorConnection } = policy.connectionPolicy;
  const window = policy.reauthMaxAgeMinutes;
  if (totpPriorConnection && !within(session.mfaVerifiedAt, window, now)) return 'step_up_required';
  // The device's biometrics or PIN, through a passkey: a code or a passkey used without user verification is not it.
  if (biometricPriorConnection && !within(session.userVerifiedAt, window, now)) return 'step_up_required';
  return null;
}

/**
 * A check made in this session within the window: a second factor (`mfaVerifiedAt`; a remembered device or
 * a password does not count) or a user-verified passkey (`userVerifiedAt`).
 */
function within(at: Date | null, windowMinutes: number, now: Date): boolean {
  return at !== null && now.getTime() - at.getTime() <= windowMinutes * 60_000;
}

/**
 * A console-bound session on the live connection, by the user's standing under the client app's rules
 * (`clientStandingOfConsoleSession`; null for other sessions): a user past the client app's enrolment
 * deadline may not connect at all; one the client app would have asked for a second factor at sign-in
 * (enrolled, in scope) connects only once the session has one (aal 2), which a step-up gives it. In
 * grace or exempt, the client app asks nothing more than the console did.
 */
export function clientAppRefusal(session: Pick<Session, 'aal'>, standing: MfaCompliance | null): ConnectRefusal | null {
  if (standing?.status === 'overdue') return 'mfa_enrollment_required';
  if (standing?.status === 'compliant' && session.aal === 1) return 'step_up_required';
  return null;
}

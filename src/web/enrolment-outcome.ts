import type { Response } from 'express';
import type { AppConfig } from '../common/app-config.js';
import type { DomainError } from '../common/errors/domain-error.js';
import type { FactorVerification } from '../factors/index.js';
import { setSessionCookie } from '../http/session-cookie.js';
import type { SessionPrincipal } from '../sessions/index.js';
import type { EnrolmentCookies } from './enrolment-cookies.js';
import { ENROLMENT_MESSAGES } from './messages.js';
import { formFailure } from './page-controller.js';

/** What the Security page says after `?added=`: a method set up (and, for the first one, the codes kept). */
const ADDED_NOTICES: Readonly<Record<string, string>> = {
  totp: 'Your authenticator app is set up. Signing in now asks for one of its codes.',
  email: 'E-mail codes are set up. Signing in can now send a code to your e-mail address.',
  webauthn: 'Your passkey is added. Signing in can now ask for it instead of a code.',
  backup_codes: 'Two-step verification is on. Keep your backup codes somewhere safe: each signs you in once.',
};

export function addedNotice(added: unknown): string | null {
  return typeof added === 'string' && Object.hasOwn(ADDED_NOTICES, added) ? ADDED_NOTICES[added]! : null;
}

/**
 * Where a page goes once a new factor has verified. A first factor raised the session to aal 2 and the old
 * token stopped working: the page cookie takes the new one, or the very next page would sign the user
 * out. A first factor also brought the first backup codes, which the next page shows once.
 */
export function continueAfterVerification(
  res: Response,
  p: SessionPrincipal,
  verified: FactorVerification,
  deps: { cookies: EnrolmentCookies; config: AppConfig },
): void {
  if (verified.token) setSessionCookie(res, verified.token, p.session.expiresAt, deps.config.publicUrl);
  if (verified.backupCodes?.length) {
    deps.cookies.keepBackupCodes(res, p.session.id, verified.backupCodes);
    return res.redirect(303, '/account/mfa/backup-codes');
  }
  res.redirect(303, `/account?added=${verified.factor.type}`);
}

/**
 * The words for a refused start of an enrolment (or a refused "send another code"), set above the form:
 * a missing fresh proof says how to get one, a limit says which, the e-mail wait how long is left (with Retry-After);
 * anything else not listed goes on to the error page.
 */
export function startRefusal(res: Response, error: unknown): { message: string; status: number } {
  const failure = formFailure(error, ['reauth_required', 'conflict', 'too_many_attempts']);
  const { code, extra } = error as DomainError;
  if (code === 'reauth_required') return { ...failure, message: ENROLMENT_MESSAGES.proofNeeded };
  if (code === 'conflict') return { ...failure, message: ENROLMENT_MESSAGES.limitReached };
  if (code === 'too_many_attempts' && extra.retryAfterSeconds) {
    res.setHeader('Retry-After', String(extra.retryAfterSeconds));
    return { ...failure, message: ENROLMENT_MESSAGES.resendWait(extra.retryAfterSeconds) };
  }
  return failure;
}

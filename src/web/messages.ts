import type { ErrorCode } from '../common/errors/domain-error.js';

/**
 * What each problem code means to a person, and what to do about it: the pages never show an API's
 * `detail`. English for now; a translation is another table of the same codes.
 */
export const MESSAGES: Record<ErrorCode, string> = {
  validation_failed: 'Some of what you entered is not valid. Check the fields and try again.',
  unauthorized: 'Your session has ended. Sign in again to continue.',
  invalid_credentials:
    'That organisation, e-mail address and password do not match an account. Check them and try again.',
  reauth_required: 'For your security, confirm your password and a code to continue.',
  invalid_app_key: 'The app that sent you here is not registered with your organisation.',
  mfa_code_invalid: 'That code is not right. Check it and try again, or use another method.',
  forbidden: 'You do not have permission to do that. Ask an administrator if you need it.',
  policy_requires_mfa:
    'Your organisation requires two-step verification, so this cannot be removed. Add another method first.',
  admin_mfa_required: 'Administrators must use two-step verification. Set it up to continue.',
  authenticator_required: 'This needs an authenticator app or a passkey.',
  degraded_session: 'You signed in with a backup code. Sign in with your authenticator or e-mail code to do this.',
  step_up_required: 'For your security, verify it is you again to continue.',
  wrong_app: 'You signed in through another app. Sign in here to continue.',
  form_rejected: 'This form has expired or was not sent from this site. Go back, reload the page and try again.',
  not_found: 'There is nothing here. It may have been removed, or the link is wrong.',
  method_not_allowed: 'That action is not available here.',
  conflict: 'This changed in the meantime. Reload the page and try again.',
  passkeys_unavailable: 'Passkeys are not set up on this server. Use another method, or ask your administrator.',
  code_already_used: 'That code has already been used. Wait for a new one, or use another method.',
  challenge_expired: 'Your sign-in took too long. Start again.',
  payload_too_large: 'What you sent is too large.',
  unsupported_media_type: 'This form could not be read. Reload the page and try again.',
  too_many_attempts: 'Too many attempts. Wait a few minutes, then try again.',
  internal_error: 'Something went wrong on our side. Try again; if it keeps happening, contact your administrator.',
  service_unavailable: 'The service is briefly unavailable. Try again in a moment.',
  key_unavailable: 'The service cannot reach its keys right now. Try again in a moment.',
};

/** The enrolment pages' own words, for refusals whose catalogue message does not say what to do there. */
export const ENROLMENT_MESSAGES = {
  /** reauth_required on starting a factor: a user with a factor must have proved one within the re-auth window. */
  proofNeeded:
    'For your security, adding a method needs a recent sign-in with one of your existing methods. Sign out, sign in again, and then add it.',
  /** conflict on starting a factor: the per-account limit (unfinished set-ups count until they expire). */
  limitReached:
    'You cannot add another of these: you have as many as an account may have, counting set-ups not finished in the last 15 minutes, or this address already receives your codes.',
  /** too_many_attempts on "send another code": the API's wait, in seconds. */
  resendWait: (seconds: number) =>
    `A code was sent moments ago. Wait ${seconds} ${seconds === 1 ? 'second' : 'seconds'}, then ask for another.`,
  /** The backup codes page's acknowledgement was not ticked. */
  acknowledge: 'Tick “I have saved these codes” to continue. You will not be able to see them again.',
} as const;

/**
 * The passkey pages' own words. The ceremony itself runs in the browser (it cannot work without a script),
 * so the script shows the ones about the browser's prompt: the page hands them over in data attributes.
 */
export const PASSKEY_MESSAGES = {
  /** No script, or a browser without WebAuthn: said on the page, hidden by the script when it can go on. */
  unsupported:
    'Passkeys need JavaScript and a browser that supports them. Turn JavaScript on or use another browser, or choose another method.',
  /** The script is waiting for the browser's passkey prompt. */
  waiting: 'Follow your browser’s prompt to use your passkey.',
  /** The person closed or cancelled the browser's prompt (or it timed out): nothing happened. */
  cancelled: 'The passkey prompt was closed before it finished, so nothing changed. Try again when you are ready.',
  /** The browser could not run the ceremony for another reason, or the server would not start it. */
  failed: 'Your browser could not use a passkey here. Try again, or choose another method.',
  /** A passkey sign-in with no organisation typed. */
  tenantNeeded: 'Enter your organisation first, then use your passkey.',
  /** The organisation does not allow signing in with a passkey alone (or there is no such organisation). */
  notOffered: 'Your organisation does not offer signing in with a passkey alone. Sign in with your password.',
  /** The server refused the assertion (another account's key, a replay, a copied key): as a wrong code. */
  refused: 'That passkey was not accepted. Try again with a passkey of this account, or use another method.',
  /** The server refused a new passkey's registration, or its ceremony ran out: a new one must start. */
  notAdded: 'The passkey was not added: the set-up was refused or took too long. Start again.',
} as const;

/** The words the passkey script shows, as the `passkey-prompt` partial puts them on the page. */
export const passkeyWords = () => ({
  unsupported: PASSKEY_MESSAGES.unsupported,
  waiting: PASSKEY_MESSAGES.waiting,
  cancelled: PASSKEY_MESSAGES.cancelled,
  failed: PASSKEY_MESSAGES.failed,
});

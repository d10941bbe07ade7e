import {
  BackupCodesRegeneratedEvent,
  FactorEnrolledEvent,
  FactorRemovedEvent,
  MfaResetCompletedEvent,
  PasskeyCloneSuspectedEvent,
} from '../factors/index.js';
import { PasswordChangedEvent } from '../identity/index.js';
import { AllDevicesForgottenEvent } from '../compliance/index.js';
import { AuditSinkDisabledEvent, AuditSinkParkedEvent, AuditSinkPausedEvent } from '../audit/index.js';

/** What a security notice says happened: its subject line and the sentence that opens the mail. */
export interface NoticeWording {
  subject: string;
  what: (details: Record<string, unknown>) => string;
}

const METHOD_NAMES: Record<string, string> = {
  totp: 'an authenticator app',
  email: 'e-mailed codes',
  webauthn: 'a passkey',
};
const methodOf = (details: Record<string, unknown>) => METHOD_NAMES[String(details.factorType)] ?? 'a sign-in method';

/**
 * One entry per audited change a user is told about, keyed by its audit action. The Disconnect API's
 * event is named by its string: `stepup` sits above this slice.
 */
export const SECURITY_NOTICE_WORDING: Record<string, NoticeWording> = {
  [FactorEnrolledEvent.type]: {
    subject: 'a sign-in method was added',
    what: (d) => `A new sign-in method (${methodOf(d)}) was added to your account.`,
  },
  [FactorRemovedEvent.type]: {
    subject: 'a sign-in method was removed',
    what: (d) => `A sign-in method (${methodOf(d)}) was removed from your account.`,
  },
  [PasskeyCloneSuspectedEvent.type]: {
    subject: 'a copy of one of your passkeys was used',
    what: (d) =>
      `Someone signed with a copy of your passkey${typeof d.label === 'string' ? ` "${d.label}"` : ''}: its ` +
      'signature counter went backwards, which only happens when its key exists twice. The attempt was refused. ' +
      'Remove that passkey from your account (Security page) and contact your administrator.',
  },
  [BackupCodesRegeneratedEvent.type]: {
    subject: 'new backup codes were generated',
    what: () => 'New backup codes were generated for your account; the previous ones no longer work.',
  },
  [PasswordChangedEvent.type]: {
    subject: 'your password was changed',
    what: () => 'The password of your account was changed, and your other sessions were signed out.',
  },
  [MfaResetCompletedEvent.type]: {
    subject: 'your two-step sign-in was reset',
    what: (d) =>
      `Following an administrator's reset, a new sign-in method (${methodOf(d)}) replaced every earlier ` +
      'sign-in method, backup code and remembered device of your account.',
  },
  [AllDevicesForgottenEvent.type]: {
    subject: 'your sign-in methods were removed',
    what: () =>
      'An administrator removed the sign-in methods, backup codes and remembered devices of every account ' +
      'of your organisation, yours included: you will set up two-step sign-in again.',
  },
  [AuditSinkPausedEvent.type]: {
    subject: 'an audit stream was paused',
    what: (d) =>
      `Delivery of your organisation's audit log to a sink failed for too long, so the sink was paused` +
      (typeof d.error === 'string' ? ` (last error: ${d.error}).` : '.') +
      ' Nothing is lost: once the receiver works again, resume the sink and it catches up from where it stopped.',
  },
  [AuditSinkDisabledEvent.type]: {
    subject: 'an audit stream was disabled',
    what: () =>
      "The receiver of one of your organisation's audit streams answered that it is gone (HTTP 410), so the " +
      'sink was disabled. Resume it once the receiver is back; it catches up from where it stopped.',
  },
  [AuditSinkParkedEvent.type]: {
    subject: 'an audit stream is waiting at a refused event',
    what: (d) =>
      `The receiver of one of your organisation's audit streams refused event seq ${String(d.seq)}` +
      (typeof d.error === 'string' ? ` (${d.error})` : '') +
      '. Delivery waits at that event until an administrator retries it or skips it.',
  },
  StepUpRequested: {
    subject: 'please confirm it is you',
    what: (d) =>
      'Your open sessions were asked to confirm your identity again with a second factor' +
      (typeof d.reason === 'string' && d.reason ? ` (reason given: ${d.reason}).` : '.'),
  },
};

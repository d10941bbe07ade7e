import { BackupCode } from './backup-codes/backup-code.entity.js';
import { EmailCode } from './email/email-code.entity.js';
import { Factor } from './factor.entity.js';
import { MfaReset } from './mfa-reset/mfa-reset.entity.js';
import { MfaFailureStreak } from './verification/mfa-failure-streak.entity.js';
import { WebauthnChallenge } from './webauthn/webauthn-challenge.entity.js';

/** The tables this slice owns, for the ORM (the composition root lists every slice's). */
export const FACTORS_ENTITIES = [Factor, BackupCode, EmailCode, MfaReset, MfaFailureStreak, WebauthnChallenge];

import type { ChallengeMethod } from '../mfa-challenge.entity.js';

export class MfaChallengeIssuedEvent {
  static readonly type = 'MfaChallengeIssued';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly challengeId: string,
  ) {}
}

export class MfaChallengeSucceededEvent {
  static readonly type = 'MfaChallengeSucceeded';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly challengeId: string,
    readonly method: ChallengeMethod,
    readonly sessionId: string,
  ) {}
}

/** Audit action of a refused challenge verification (the refusal is recorded, the change rolled back). */
export const MFA_CHALLENGE_FAILED = 'MfaChallengeFailed';

/** Audit action of a refused request for an e-mailed code (spent or expired challenge, resend too soon). */
export const EMAIL_CODE_REFUSED = 'EmailCodeRefused';

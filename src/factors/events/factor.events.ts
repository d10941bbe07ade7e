import type { FactorType } from '../factor.entity.js';

/** Past-tense facts; `type` is the name the audit log and job ids use, never the class name. */
export class FactorEnrollmentStartedEvent {
  static readonly type = 'FactorEnrollmentStarted';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly factorId: string,
    readonly factorType: FactorType,
  ) {}
}

/** A factor's first code verified: it is active from now on. */
export class FactorEnrolledEvent {
  static readonly type = 'FactorEnrolled';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly factorId: string,
    readonly factorType: FactorType,
  ) {}
}

/** The audit action of a refused verification (wrong code, replay, unknown or expired factor). */
export const FACTOR_VERIFICATION_FAILED = 'FactorVerificationFailed';

/** An operator re-encrypted a tenant's factor secrets under the newest encryption key. */
export class EncryptionKeysRotatedEvent {
  static readonly type = 'EncryptionKeysRotated';
  constructor(
    readonly tenantId: string,
    readonly keyId: string,
    readonly factors: number,
  ) {}
}

import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { FactorStatus, FactorType } from '../factor.entity.js';
import type { RegistrationResponse } from '../../common/webauthn-json.js';

/** A code for an authenticator app or an e-mail factor; the browser's new credential for a passkey. */
export type FactorProof = { code: string } | { credential: RegistrationResponse };

export interface VerifiedFactor {
  id: string;
  type: FactorType;
  status: FactorStatus;
}

export interface FactorVerification {
  factor: VerifiedFactor;
  /** The user's first backup codes, shown this once: present only when this was their first active factor. */
  backupCodes?: string[];
  /** The session's new token when the factor raised it to aal 2 (the old token no longer works). */
  token?: string;
}

/** Proves a pending factor with its first code (or credential), which activates it; every refusal is mfa_code_invalid. */
export class VerifyFactorCommand extends Command<FactorVerification> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly factorId: string,
    readonly proof: FactorProof,
    readonly actor: Actor,
    readonly request: RequestMeta,
    /** The session the code was entered in: the proven factor joins its `amr`. */
    readonly sessionId: string,
  ) {
    super();
  }
}

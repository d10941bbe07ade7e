import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { MfaVerificationThrottle } from '../auth/mfa-verification-throttle.js';
import { PasswordCheckThrottle } from '../auth/password-check-throttle.js';
import { PasswordHasher } from '../common/crypto/password-hasher.js';
import type { Tx } from '../common/cqrs/unit-of-work.js';
import { wrongCurrentPassword } from '../identity/identity.errors.js';
import { UsersDirectory } from '../identity/users-directory.js';
import type { RemovalProofInput } from './dto/remove-factor.schema.js';
import { Factor } from './factor.entity.js';
import { mfaCodeInvalid } from './factors.errors.js';
import { TotpVerifier } from './totp/totp-verifier.js';

export interface ProofSubject {
  tenantId: string;
  userId: string;
  sessionId: string;
}

/** A checked proof; a code still has to be used up in the removal's transaction (replay protection). */
export type CheckedProof = { kind: 'password' } | { kind: 'code'; consume: (tx: Tx, now: Date) => Promise<boolean> };

/**
 * Checks what a user offers to remove a factor: the password (invalid_credentials when wrong) or a
 * current code of one of their active authenticator apps (mfa_code_invalid). Both are throttled on
 * the budgets their other uses draw from, so removal opens no side door for guessing.
 */
@Injectable()
export class RemovalProof {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly users: UsersDirectory,
    private readonly passwordChecks: PasswordCheckThrottle,
    private readonly codeChecks: MfaVerificationThrottle,
    private readonly totp: TotpVerifier,
  ) {}

  async check(em: EntityManager, s: ProofSubject, proof: RemovalProofInput, now: Date): Promise<CheckedProof> {
    if (proof.password !== undefined) {
      await this.passwordChecks.reserve(s.userId);
      const user = await this.users.requireUser(s.tenantId, s.userId);
      if (!user.passwordHash || !(await this.hasher.verify(user.passwordHash, proof.password))) {
        throw wrongCurrentPassword();
      }
      await this.passwordChecks.reset(s.userId);
      return { kind: 'password' };
    }
    // The session stands in for a challenge, sharing its per-session tries with step-up.
    await this.codeChecks.admit(s.sessionId, s.userId);
    const factors = await em.find(Factor, { tenantId: s.tenantId, userId: s.userId, status: 'active', type: 'totp' });
    let consume: ((tx: Tx, at: Date) => Promise<boolean>) | null = null;
    // Every factor is checked (a decoy when there is none), so a miss takes as long as a hit.
    for (const factor of factors.length ? factors : [null]) {
      const step = this.totp.match(factor, proof.code ?? '', now);
      if (factor && step !== null && !consume) consume = (tx, at) => this.totp.consume(tx, factor, step, at);
    }
    if (!consume) throw mfaCodeInvalid();
    return { kind: 'code', consume };
  }

  /** After the removal committed with a code: the user's code-guessing budget is whole again. */
  async codeAccepted(userId: string): Promise<void> {
    await this.codeChecks.succeeded(userId);
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { MfaFailureStreaks } from './verification/mfa-failure-streaks.js';
import { MfaVerificationThrottle } from './verification/mfa-verification-throttle.js';
import { PasswordCheckThrottle, UsersDirectory, wrongCurrentPassword } from '../identity/index.js';
import { SecondFactorRefusals } from './verification/second-factor-refusals.js';
import type { RequestMeta } from '../common/actor.js';
import { PasswordHasher } from '../common/crypto/password-hasher.js';
import type { Tx } from '../common/cqrs/unit-of-work.js';
import type { RemovalProofInput } from './dto/remove-factor.schema.js';
import { Session } from '../sessions/index.js';
import { Factor } from './factor.entity.js';
import { mfaCodeInvalid } from './factors.errors.js';
import { TotpVerifier } from './totp/totp-verifier.js';

export interface ProofSubject {
  tenantId: string;
  userId: string;
  sessionId: string;
  request: RequestMeta;
}

/** A checked proof; a code still has to be used up in the removal's transaction (replay protection). */
export type CheckedProof = { kind: 'password' } | { kind: 'code'; consume: (tx: Tx, now: Date) => Promise<boolean> };

/**
 * Checks what a user offers to remove a factor (or to confirm a weaker MFA policy): the password
 * (invalid_credentials when wrong) or a current code of one of their active authenticator apps
 * (mfa_code_invalid). Both are throttled on the budgets their other uses draw from, and a code counts
 * on the sign-in's failure streak (its waits, its lock, reset by a success), so these checks open no
 * side door for guessing.
 */
@Injectable()
export class RemovalProof {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly users: UsersDirectory,
    private readonly passwordChecks: PasswordCheckThrottle,
    private readonly codeChecks: MfaVerificationThrottle,
    private readonly totp: TotpVerifier,
    private readonly streaks: MfaFailureStreaks,
    private readonly refusals: SecondFactorRefusals,
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
    await this.streaks.assertMayTry(em, s, now);
    // Only factors the user had before this session began: one added in it proves nothing about who holds it.
    const session = await em.findOne(Session, { tenantId: s.tenantId, id: s.sessionId }, { fields: ['createdAt'] });
    const factors = session
      ? await em.find(Factor, {
          tenantId: s.tenantId,
          userId: s.userId,
          status: 'active',
          type: 'totp',
          verifiedAt: { $lt: session.createdAt },
        })
      : [];
    let consume: ((tx: Tx, at: Date) => Promise<boolean>) | null = null;
    // Every factor is checked (a decoy when there is none), so a miss takes as long as a hit.
    for (const factor of factors.length ? factors : [null]) {
      const step = this.totp.match(factor, proof.code ?? '', now);
      if (factor && step !== null && !consume) consume = (tx, at) => this.consume(tx, s, factor, step, at);
    }
    if (!consume) {
      await this.refusals.countWrongCode(s, s.request);
      throw mfaCodeInvalid();
    }
    return { kind: 'code', consume };
  }

  private async consume(tx: Tx, s: ProofSubject, factor: Factor, step: number, now: Date): Promise<boolean> {
    if (!(await this.totp.consume(tx, factor, step, now))) return false;
    await this.streaks.recordSuccess(tx.em, s);
    return true;
  }

  /** After the removal committed with a code: the user's code-guessing budget is whole again. */
  async codeAccepted(userId: string): Promise<void> {
    await this.codeChecks.succeeded(userId);
  }
}

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
import type { AuthenticationResponse } from '../common/webauthn-json.js';
import { PasskeyAssertions } from './webauthn/passkey-assertions.js';
import { PasskeyCloneAlarm } from './webauthn/passkey-clone-alarm.js';

export interface ProofSubject {
  tenantId: string;
  userId: string;
  sessionId: string;
  request: RequestMeta;
}

/** A checked proof; a code or an assertion still has to be used up in the removal's transaction (replays). */
export type CheckedProof =
  { kind: 'password' } | { kind: 'code' | 'passkey'; consume: (tx: Tx, now: Date) => Promise<boolean> };

/**
 * Checks what a user offers to remove a factor (or to confirm a weaker MFA policy): the password
 * (invalid_credentials when wrong), a current code of one of their active authenticator apps, or one of
 * their passkeys signing this session's step-up challenge (mfa_code_invalid). Both are throttled on the budgets their other uses draw from, and a code counts
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
    private readonly passkeys: PasskeyAssertions,
    private readonly alarm: PasskeyCloneAlarm,
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
    if (proof.credential) return this.checkPasskey(em, s, proof.credential, session?.createdAt ?? null, now);
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

  private async checkPasskey(
    em: EntityManager,
    s: ProofSubject,
    credential: AuthenticationResponse,
    sessionCreatedAt: Date | null,
    now: Date,
  ): Promise<CheckedProof> {
    const site = { tenantId: s.tenantId, userId: s.userId, purpose: 'step_up' as const, boundTo: s.sessionId };
    const outcome = await this.passkeys.verify(em, site, credential, now);
    if ('assertion' in outcome) {
      const { assertion } = outcome;
      const before = assertion.factor.verifiedAt !== null && sessionCreatedAt !== null;
      if (before && assertion.factor.verifiedAt! < sessionCreatedAt!) {
        return {
          kind: 'passkey',
          consume: async (tx, at) => {
            if (!(await this.passkeys.consume(tx, assertion, at))) return false;
            await this.streaks.recordSuccess(tx.em, s);
            return true;
          },
        };
      }
    } else if (outcome.refusal === 'counter_rollback' && outcome.factor && outcome.counters) {
      await this.alarm.raise(outcome.factor, outcome.counters, s.request);
    }
    await this.refusals.countWrongCode(s, s.request);
    throw mfaCodeInvalid();
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

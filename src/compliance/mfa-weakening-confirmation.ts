import { Injectable } from '@nestjs/common';
import type { Tx } from '../common/cqrs/unit-of-work.js';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { AuthenticationResponse } from '../common/webauthn-json.js';
import { mfaCodeInvalid, MfaOverviewReader, type ProofSubject, RemovalProof } from '../factors/index.js';

/** What an admin gives to confirm a change that lowers MFA protection. */
export interface WeakeningConfirmationInput {
  password: string;
  /** A current code of one of the admin's authenticator apps; not asked of an admin with no factor. */
  code?: string | undefined;
  /** Or one of their passkeys signing this session's step-up challenge. */
  credential?: AuthenticationResponse | undefined;
}

/** A checked confirmation: what it proved, and the code still to use up in the change's transaction. */
export interface ConfirmedWeakening {
  proof: ('password' | 'totp' | 'webauthn')[];
  consume: (tx: Tx, now: Date) => Promise<void>;
}

export const confirmationNeeded = (what: string) =>
  new DomainError(
    'reauth_required',
    `${what} needs your password and a current code of your authenticator app (or a passkey)`,
  );

const authenticatorRequired = () =>
  new DomainError(
    'authenticator_required',
    'Only a current code of an authenticator app, or a passkey, can confirm this change: add one to your account first',
  );

/**
 * The confirmation asked before MFA is weakened for anyone (a weaker policy, every device forgotten):
 * whoever holds an admin's session must also know the password and hold their second factor. An
 * admin with no factor has no more to show than the password; one whose factors cannot be checked
 * here (e-mail codes go only to sign-in challenges) must add an authenticator app, rather than have
 * that factor skipped. The code counts on the sign-in's failure streak and is used up with the change.
 */
@Injectable()
export class MfaWeakeningConfirmation {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly proofs: RemovalProof,
    private readonly factors: MfaOverviewReader,
  ) {}

  async check(
    subject: ProofSubject,
    input: WeakeningConfirmationInput | undefined,
    now: Date,
    needed: () => DomainError,
  ): Promise<ConfirmedWeakening> {
    if (!input) throw needed();
    const { factors } = await this.factors.forUser(subject.tenantId, subject.userId);
    const hasAuthenticator = factors.some((f) => f.type === 'totp' || f.type === 'webauthn');
    if (factors.length > 0 && !hasAuthenticator) throw authenticatorRequired();
    if (hasAuthenticator && input.code === undefined && input.credential === undefined) throw needed();
    const reader = this.uow.reader();
    await this.proofs.check(reader, subject, { password: input.password }, now);
    if (!hasAuthenticator) return { proof: ['password'], consume: async () => undefined };
    const second = input.credential ? { credential: input.credential } : { code: input.code };
    const code = await this.proofs.check(reader, subject, second, now);
    return {
      proof: ['password', input.credential ? 'webauthn' : 'totp'],
      consume: async (tx, at) => {
        if (code.kind === 'password' || !(await code.consume(tx, at))) throw mfaCodeInvalid();
      },
    };
  }

  /** After the change committed: the admin's code-guessing budget is whole again. */
  async accepted(confirmed: ConfirmedWeakening, userId: string): Promise<void> {
    if (confirmed.proof.length > 1) await this.proofs.codeAccepted(userId);
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { Factor } from '../factor.entity.js';
import { signedChallengeOf } from './client-data.js';
import type { AuthenticationResponse } from '../../common/webauthn-json.js';
import { RelyingParty } from './relying-party.js';
import { userHandleText } from './user-handle.js';
import { WEBAUTHN_CHALLENGE_TTL_MS, WebauthnChallenge, type WebauthnPurpose } from './webauthn-challenge.entity.js';
import { tooManyAttempts } from '../../common/attempt-limiter.js';

/** Prompts one sign-in or session may have open at once (a retry, another tab). */
export const MAX_LIVE_CEREMONIES = 5;

/** Where an assertion is answered: the ceremony's purpose and binding, and whose credential may answer it. */
export interface AssertionSite {
  tenantId: string;
  purpose: Exclude<WebauthnPurpose, 'registration'>;
  boundTo: string | null;
  /** The user who must own the credential; null for a passwordless sign-in, where the credential names them. */
  userId: string | null;
}

/** An assertion whose signature checked out: used up by `consume` in the transaction that acts on it. */
export interface VerifiedAssertion {
  factor: Factor;
  challengeId: string;
  newCounter: number;
  /** The authenticator verified the person (biometrics or PIN), not only their presence. */
  userVerified: boolean;
}

/** Why an assertion was refused: for the audit log only (the caller hears one answer for all). */
export type AssertionRefusal =
  | 'malformed'
  | 'unknown_challenge'
  | 'unknown_credential'
  | 'not_verified'
  | 'user_verification_missing'
  | 'counter_rollback';

export type AssertionOutcome =
  | { assertion: VerifiedAssertion }
  | { refusal: AssertionRefusal; factor?: Factor; counters?: { stored: number; received: number } };

/**
 * The authentication ceremony: options for `navigator.credentials.get()` with a single-use challenge kept
 * server-side (its hash), then the assertion checked against it: origin, RP id, signature with the stored
 * public key, user verification when the ceremony required it, and the signature counter (a counter that
 * does not move forward means a second copy of the key exists).
 */
@Injectable()
export class PasskeyAssertions {
  constructor(private readonly rp: RelyingParty) {}

  async begin(
    em: EntityManager,
    site: AssertionSite,
    input: { credentials: readonly Factor[]; userVerificationRequired: boolean; now: Date },
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { rpId } = this.rp.require();
    const live = await em.count(WebauthnChallenge, {
      tenantId: site.tenantId,
      purpose: site.purpose,
      boundTo: site.boundTo,
      usedAt: null,
      expiresAt: { $gt: input.now },
    });
    // Each request stores a row: a bound on them for one sign-in or one session.
    if (site.boundTo !== null && live >= MAX_LIVE_CEREMONIES) {
      throw tooManyAttempts(
        'Too many passkey prompts for this sign-in; use one of them, or wait',
        WEBAUTHN_CHALLENGE_TTL_MS,
      );
    }
    const options = await generateAuthenticationOptions({
      rpID: rpId,
      // Empty for a passwordless sign-in: the browser offers the passkeys it holds for this RP.
      allowCredentials: input.credentials
        .filter((f) => f.credentialId)
        .map((f) => ({ id: f.credentialId!, transports: f.transports ?? [] })),
      userVerification: input.userVerificationRequired ? 'required' : 'preferred',
    });
    em.persist(
      new WebauthnChallenge({
        tenantId: site.tenantId,
        userId: site.userId,
        purpose: site.purpose,
        boundTo: site.boundTo,
        challenge: options.challenge,
        userVerificationRequired: input.userVerificationRequired,
        now: input.now,
      }),
    );
    await em.flush();
    return options;
  }

  /** Checks the assertion without writing anything; `consume` uses it up. */
  async verify(
    em: EntityManager,
    site: AssertionSite,
    response: AuthenticationResponse,
    now: Date,
  ): Promise<AssertionOutcome> {
    const { rpId, origins } = this.rp.require();
    const challenge = signedChallengeOf(response.response.clientDataJSON);
    if (challenge === null) return { refusal: 'malformed' };
    const ceremony = await em.getRepository(WebauthnChallenge).findLive(site.purpose, site.boundTo, challenge, now);
    if (!ceremony || ceremony.tenantId !== site.tenantId || ceremony.userId !== site.userId) {
      return { refusal: 'unknown_challenge' };
    }
    const factor = await em.findOne(Factor, {
      tenantId: site.tenantId,
      ...(site.userId ? { userId: site.userId } : {}),
      type: 'webauthn',
      status: 'active',
      credentialId: response.id,
    });
    if (!factor?.publicKey) return { refusal: 'unknown_credential' };
    // A discoverable credential names its user: it must be the one the credential was registered for.
    const handle = response.response.userHandle;
    if (handle !== undefined && handle !== userHandleText(factor.userId)) return { refusal: 'unknown_credential' };
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: origins,
        expectedRPID: rpId,
        // The counter is judged below, where a rollback can be told apart from a bad signature.
        credential: { id: factor.credentialId!, publicKey: Buffer.from(factor.publicKey, 'base64url'), counter: 0 },
        requireUserVerification: false,
      });
    } catch {
      return { refusal: 'malformed', factor };
    }
    const info = verified.authenticationInfo;
    if (!verified.verified) return { refusal: 'not_verified', factor };
    if (ceremony.userVerificationRequired && !info.userVerified)
      return { refusal: 'user_verification_missing', factor };
    const stored = factor.signCount ?? 0;
    if (!counterMovedOn(stored, info.newCounter)) {
      return { refusal: 'counter_rollback', factor, counters: { stored, received: info.newCounter } };
    }
    return {
      assertion: { factor, challengeId: ceremony.id, newCounter: info.newCounter, userVerified: info.userVerified },
    };
  }

  /**
   * Uses the ceremony up and records the new counter, in the caller's transaction: false when a concurrent
   * answer won, or the counter moved past this one meanwhile (the same assertion twice, or a clone).
   */
  async consume(tx: Tx, { factor, challengeId, newCounter }: VerifiedAssertion, now: Date): Promise<boolean> {
    if (!(await tx.em.getRepository(WebauthnChallenge).consume(challengeId, now))) return false;
    const [row] = await tx.em.execute<{ id: string }[]>(
      `update factors set sign_count = ?, last_used_at = ?
        where id = ? and tenant_id = ? and status = 'active'
          and (sign_count < ? or (sign_count = 0 and ? = 0))
        returning id`,
      [newCounter, now, factor.id, factor.tenantId, newCounter, newCounter],
    );
    return row !== undefined;
  }
}

/** Authenticators that keep no counter send 0 every time; any other must go up with every use. */
export const counterMovedOn = (stored: number, received: number): boolean =>
  (stored === 0 && received === 0) || received > stored;

import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { Factor } from '../factor.entity.js';
import type { RegistrationResponse } from '../../common/webauthn-json.js';
import { signedChallengeOf } from './client-data.js';
import { RelyingParty } from './relying-party.js';
import { WebauthnChallenge } from './webauthn-challenge.entity.js';
import { userHandleOf } from './user-handle.js';

/** A passkey the browser created, checked against the ceremony the server began. */
export interface RegisteredPasskey {
  challengeId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  aaguid: string;
  backedUp: boolean;
  userVerified: boolean;
}

/** Why a registration was refused: for the audit log only. */
export type RegistrationRefusal = 'malformed' | 'unknown_challenge' | 'not_verified' | 'already_registered';

/**
 * The registration ceremony of a pending passkey factor: options for `navigator.credentials.create()` with a
 * challenge kept server-side (only its hash), then the browser's answer verified against it (origin, RP id,
 * signature, user verification when the ceremony required it).
 */
@Injectable()
export class PasskeyRegistration {
  constructor(private readonly rp: RelyingParty) {}

  async begin(
    em: EntityManager,
    input: {
      factor: Factor;
      email: string;
      tenantName: string;
      /** The user's passkeys already registered: the browser will not register one of them again. */
      existing: readonly Factor[];
      userVerificationRequired: boolean;
      now: Date;
    },
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { rpId } = this.rp.require();
    const { factor, userVerificationRequired } = input;
    const options = await generateRegistrationOptions({
      rpName: input.tenantName,
      rpID: rpId,
      userName: input.email,
      userDisplayName: `${input.email} (${input.tenantName})`,
      userID: userHandleOf(factor.userId),
      attestationType: 'none',
      excludeCredentials: input.existing
        .filter((f) => f.credentialId)
        .map((f) => ({ id: f.credentialId!, transports: f.transports ?? [] })),
      // A discoverable credential (a passkey) when the authenticator can keep one: passwordless sign-in needs it.
      authenticatorSelection: {
        residentKey: 'preferred',
        userVerification: userVerificationRequired ? 'required' : 'preferred',
      },
    });
    const ceremony = new WebauthnChallenge({
      tenantId: factor.tenantId,
      userId: factor.userId,
      purpose: 'registration',
      boundTo: factor.id,
      challenge: options.challenge,
      userVerificationRequired,
      now: input.now,
    });
    em.persist(ceremony);
    await em.flush();
    return options;
  }

  async verify(
    em: EntityManager,
    factor: Factor,
    response: RegistrationResponse,
    now: Date,
  ): Promise<{ passkey: RegisteredPasskey } | { refusal: RegistrationRefusal }> {
    const { rpId, origins } = this.rp.require();
    const challenge = signedChallengeOf(response.response.clientDataJSON);
    if (challenge === null) return { refusal: 'malformed' };
    const ceremony = await em.getRepository(WebauthnChallenge).findLive('registration', factor.id, challenge, now);
    if (!ceremony) return { refusal: 'unknown_challenge' };
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: origins,
        expectedRPID: rpId,
        requireUserVerification: ceremony.userVerificationRequired,
      });
    } catch {
      return { refusal: 'malformed' };
    }
    if (!verified.verified) return { refusal: 'not_verified' };
    const info = verified.registrationInfo;
    if (await em.count(Factor, { credentialId: info.credential.id })) return { refusal: 'already_registered' };
    return {
      passkey: {
        challengeId: ceremony.id,
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: info.credential.transports ?? response.response.transports ?? [],
        aaguid: info.aaguid,
        backedUp: info.credentialBackedUp,
        userVerified: info.userVerified,
      },
    };
  }

  /**
   * Uses the ceremony up and activates the factor with its credential, in the caller's transaction; false
   * when a concurrent answer won (or registered the same credential first).
   */
  async complete(tx: Tx, factor: Factor, passkey: RegisteredPasskey, now: Date): Promise<boolean> {
    if (!(await tx.em.getRepository(WebauthnChallenge).consume(passkey.challengeId, now))) return false;
    try {
      const updated = await tx.em.nativeUpdate(
        Factor,
        { id: factor.id, tenantId: factor.tenantId, status: 'pending' },
        {
          status: 'active',
          verifiedAt: now,
          credentialId: passkey.credentialId,
          publicKey: passkey.publicKey,
          signCount: passkey.counter,
          transports: passkey.transports,
          aaguid: passkey.aaguid,
          backedUp: passkey.backedUp,
        },
      );
      return updated === 1;
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) return false;
      throw error;
    }
  }
}

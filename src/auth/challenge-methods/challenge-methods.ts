import type { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { MfaPolicySettings } from '../../policy/index.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';
import { allowedByPolicy } from './allowed-by-policy.js';
import { CHALLENGE_METHODS, type ChallengeMethodVerifier, type ChallengeSubject } from './challenge-method.js';

/** The registered ways to answer a challenge, looked up by name. */
@Injectable()
export class ChallengeMethods {
  constructor(@Inject(CHALLENGE_METHODS) private readonly all: ChallengeMethodVerifier[]) {}

  /** The methods this user can answer with right now, in the order they are offered. */
  async availableTo(em: EntityManager, subject: ChallengeSubject, now: Date): Promise<ChallengeMethod[]> {
    const offered: ChallengeMethod[] = [];
    for (const verifier of this.all) if (await verifier.available(em, subject, now)) offered.push(verifier.method);
    return offered;
  }

  /** The methods this user can answer with that the tenant's policy accepts: what login and step-up offer. */
  async offeredTo(
    em: EntityManager,
    subject: ChallengeSubject,
    policy: MfaPolicySettings,
    now: Date,
  ): Promise<ChallengeMethod[]> {
    return allowedByPolicy(await this.availableTo(em, subject, now), policy);
  }

  get(method: ChallengeMethod): ChallengeMethodVerifier | undefined {
    return this.all.find((v) => v.method === method);
  }
}

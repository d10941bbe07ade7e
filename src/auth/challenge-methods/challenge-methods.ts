import { Inject, Injectable } from '@nestjs/common';
import type { MfaPolicySettings } from '../../policy/index.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';
import { allowedByPolicy } from './allowed-by-policy.js';
import type { FactorInventory } from '../../factors/index.js';
import { CHALLENGE_METHODS, type ChallengeMethodVerifier } from './challenge-method.js';

/** The registered ways to answer a challenge, looked up by name. */
@Injectable()
export class ChallengeMethods {
  constructor(@Inject(CHALLENGE_METHODS) private readonly all: ChallengeMethodVerifier[]) {}

  /** The methods a user with this inventory can answer with that the policy accepts: what login and step-up offer. */
  offeredTo(inventory: FactorInventory, policy: MfaPolicySettings): ChallengeMethod[] {
    const available = this.all.filter((verifier) => verifier.available(inventory)).map((v) => v.method);
    return allowedByPolicy(available, policy);
  }

  get(method: ChallengeMethod): ChallengeMethodVerifier | undefined {
    return this.all.find((v) => v.method === method);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '../../common/access/roles.js';
import type { EnforcementRules } from '../../policy/index.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';
import { allowedByPolicy } from './allowed-by-policy.js';
import type { FactorInventory } from '../../factors/index.js';
import { CHALLENGE_METHODS, type ChallengeMethodVerifier } from './challenge-method.js';

/** The registered ways to answer a challenge, looked up by name. */
@Injectable()
export class ChallengeMethods {
  constructor(@Inject(CHALLENGE_METHODS) private readonly all: ChallengeMethodVerifier[]) {}

  /**
   * The methods a user with this inventory and these roles can answer with that the policy accepts from
   * them: what login and step-up offer.
   */
  offeredTo(inventory: FactorInventory, policy: EnforcementRules, roles: readonly Role[]): ChallengeMethod[] {
    const available = this.all.filter((verifier) => verifier.available(inventory)).map((v) => v.method);
    return allowedByPolicy(available, policy, roles);
  }

  get(method: ChallengeMethod): ChallengeMethodVerifier | undefined {
    return this.all.find((v) => v.method === method);
  }
}

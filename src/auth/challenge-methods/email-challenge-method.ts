import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EmailCodes, Factor, type FactorInventory } from '../../factors/index.js';
import {
  type AnswerSite,
  bindingOf,
  type ChallengeAnswer,
  type ChallengeMethodVerifier,
  type ChallengeSubject,
  codeOf,
  type MatchedCode,
} from './challenge-method.js';

/**
 * A code mailed to one of the user's proven addresses, for one challenge
 * (`POST /v1/auth/challenges/{id}/email`) or one session's step-up (`POST /v1/auth/step-up/email`).
 */
@Injectable()
export class EmailChallengeMethod implements ChallengeMethodVerifier {
  readonly method = 'email' as const;
  readonly amr = 'email' as const;

  constructor(private readonly codes: EmailCodes) {}

  available(inventory: FactorInventory): boolean {
    return inventory.activeTypes.has('email');
  }

  async match(
    em: EntityManager,
    subject: ChallengeSubject,
    answer: ChallengeAnswer,
    now: Date,
    site: AnswerSite,
  ): Promise<MatchedCode | null> {
    const code = codeOf(answer) ?? '';
    const { purpose, boundTo } = bindingOf(site);
    const factors = await em.find(Factor, { ...subject, status: 'active', type: 'email' });
    let matched: MatchedCode | null = null;
    // Every factor is checked (and a decoy when there is none), so a miss takes as long as a hit.
    for (const factor of factors.length ? factors : [null]) {
      const hit = await this.codes.match(em, factor, purpose, code, now, boundTo);
      if (factor && hit && !matched) {
        matched = {
          id: factor.id,
          since: factor.verifiedAt,
          consume: (tx, at) => this.codes.consume(tx, factor, hit, at),
        };
      }
    }
    return matched;
  }
}

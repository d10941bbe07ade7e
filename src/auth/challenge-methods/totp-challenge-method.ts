import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Factor, type FactorInventory, TotpVerifier } from '../../factors/index.js';
import {
  type ChallengeAnswer,
  type ChallengeMethodVerifier,
  type ChallengeSubject,
  codeOf,
  type MatchedCode,
} from './challenge-method.js';

/** An authenticator app: the code is checked against every active TOTP factor of the user. */
@Injectable()
export class TotpChallengeMethod implements ChallengeMethodVerifier {
  readonly method = 'totp' as const;
  readonly amr = 'otp' as const;

  constructor(private readonly totp: TotpVerifier) {}

  available(inventory: FactorInventory): boolean {
    return inventory.activeTypes.has('totp');
  }

  async match(
    em: EntityManager,
    subject: ChallengeSubject,
    answer: ChallengeAnswer,
    now: Date,
  ): Promise<MatchedCode | null> {
    const code = codeOf(answer) ?? '';
    const factors = await em.find(Factor, { ...subject, status: 'active', type: 'totp' });
    let matched: MatchedCode | null = null;
    // Every factor is checked (and a decoy when there is none), so a miss takes as long as a hit.
    for (const factor of factors.length ? factors : [null]) {
      const step = this.totp.match(factor, code, now);
      if (factor && step !== null && !matched) {
        matched = {
          id: factor.id,
          since: factor.verifiedAt,
          consume: (tx, at) => this.totp.consume(tx, factor, step, at),
        };
      }
    }
    return matched;
  }
}

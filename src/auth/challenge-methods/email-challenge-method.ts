import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EmailCodes } from '../../factors/email/email-codes.js';
import { Factor } from '../../factors/factor.entity.js';
import type { ChallengeMethodVerifier, ChallengeSubject, MatchedCode } from './challenge-method.js';

/** A code mailed to one of the user's proven addresses (`POST /v1/auth/challenges/{id}/email`). */
@Injectable()
export class EmailChallengeMethod implements ChallengeMethodVerifier {
  readonly method = 'email' as const;
  readonly amr = 'email' as const;

  constructor(private readonly codes: EmailCodes) {}

  async available(em: EntityManager, subject: ChallengeSubject): Promise<boolean> {
    return (await em.count(Factor, { ...subject, status: 'active', type: 'email' })) > 0;
  }

  async match(em: EntityManager, subject: ChallengeSubject, code: string, now: Date): Promise<MatchedCode | null> {
    const factors = await em.find(Factor, { ...subject, status: 'active', type: 'email' });
    let matched: MatchedCode | null = null;
    // Every factor is checked (and a decoy when there is none), so a miss takes as long as a hit.
    for (const factor of factors.length ? factors : [null]) {
      const hit = await this.codes.match(em, factor, 'sign_in', code, now);
      if (factor && hit && !matched) {
        matched = { id: factor.id, consume: (tx, at) => this.codes.consume(tx, factor, hit, at) };
      }
    }
    return matched;
  }
}

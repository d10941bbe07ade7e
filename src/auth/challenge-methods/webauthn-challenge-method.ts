import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from '../../common/actor.js';
import { type FactorInventory, PasskeyAssertions, PasskeyCloneAlarm, passkeyRefused } from '../../factors/index.js';
import {
  type AnswerSite,
  bindingOf,
  type ChallengeAnswer,
  type ChallengeMethodVerifier,
  type ChallengeSubject,
  type MatchedCode,
} from './challenge-method.js';

/**
 * A passkey: the browser's assertion over a challenge issued for this login challenge
 * (`POST /v1/auth/challenges/{id}/webauthn`) or this session's step-up (`POST /v1/auth/step-up/webauthn`),
 * signed by one of the user's own passkeys. A counter rollback is refused and raises the clone alarm.
 */
@Injectable()
export class WebauthnChallengeMethod implements ChallengeMethodVerifier {
  readonly method = 'webauthn' as const;
  readonly amr = 'webauthn' as const;

  constructor(
    private readonly assertions: PasskeyAssertions,
    private readonly alarm: PasskeyCloneAlarm,
  ) {}

  available(inventory: FactorInventory): boolean {
    return inventory.activeTypes.has('webauthn');
  }

  async match(
    em: EntityManager,
    subject: ChallengeSubject,
    answer: ChallengeAnswer,
    now: Date,
    site: AnswerSite,
    request: RequestMeta,
  ): Promise<MatchedCode | null> {
    if (!('credential' in answer)) return null;
    const outcome = await this.assertions.verify(em, { ...subject, ...bindingOf(site) }, answer.credential, now);
    if ('refusal' in outcome) {
      if (outcome.refusal === 'counter_rollback' && outcome.factor && outcome.counters) {
        await this.alarm.raise(outcome.factor, outcome.counters, request);
      }
      throw passkeyRefused(outcome.refusal);
    }
    const { assertion } = outcome;
    return {
      id: assertion.factor.id,
      since: assertion.factor.verifiedAt,
      userVerified: assertion.userVerified,
      consume: (tx, at) => this.assertions.consume(tx, assertion, at),
    };
  }
}

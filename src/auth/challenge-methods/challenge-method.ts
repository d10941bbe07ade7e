import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestMeta } from '../../common/actor.js';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import type { AuthMethod } from '../../sessions/index.js';
import type { AuthenticationResponse, ChallengeSubject, FactorInventory } from '../../factors/index.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';

export type { ChallengeSubject };

/** What a challenge is answered with: a code, or for a passkey the browser's signed assertion. */
export type ChallengeAnswer =
  | { method: Exclude<ChallengeMethod, 'webauthn'>; code: string }
  | { method: 'webauthn'; credential: AuthenticationResponse };

/** The code of an answer; null for an assertion (which no code method can match). */
export const codeOf = (answer: ChallengeAnswer): string | null => ('code' in answer ? answer.code : null);

/** Where a code is answered: a login challenge, or a step-up of a session. */
export type AnswerSite = { challengeId: string } | { sessionId: string };

/** What a code or ceremony issued for the site is bound to: `sign_in` its challenge, `step_up` its session. */
export const bindingOf = (site: AnswerSite) =>
  'challengeId' in site
    ? ({ purpose: 'sign_in', boundTo: site.challengeId } as const)
    : ({ purpose: 'step_up', boundTo: site.sessionId } as const);

/** A code that matched, to be used up inside the transaction that opens the session. */
export interface MatchedCode {
  /** What was matched (a factor id, a backup code id): for the audit log. */
  readonly id: string;
  /** When it became the user's (a factor's verification, a backup code's creation): what step-up checks. */
  readonly since: Date | null;
  readonly consume: (tx: Tx, now: Date) => Promise<boolean>;
  /** A passkey that verified the person (biometrics or PIN): the session records when. */
  readonly userVerified?: boolean;
}

/**
 * One way to answer a challenge (login, and later step-up): TOTP, an e-mailed code, a backup code.
 * The login offers the methods that are `available`; verification `match`es the code without writing,
 * then `consume`s the match in the session's transaction, where a race or a replay loses.
 */
export interface ChallengeMethodVerifier {
  readonly method: ChallengeMethod;
  /** What the session's `amr` records for it. */
  readonly amr: AuthMethod;
  /** Whether the user has something to answer with (their inventory, read once for every method). */
  available(inventory: FactorInventory): boolean;
  /**
   * Does the same work whether or not the code matches; null for no match. `site` is where it is
   * answered: a code sent for one site (an e-mailed code) matches nowhere else.
   */
  match(
    em: EntityManager,
    subject: ChallengeSubject,
    answer: ChallengeAnswer,
    now: Date,
    site: AnswerSite,
    request: RequestMeta,
  ): Promise<MatchedCode | null>;
}

/** Provider token: every ChallengeMethodVerifier, in the order methods are offered. */
export const CHALLENGE_METHODS = 'STEPGUARD_CHALLENGE_METHODS';

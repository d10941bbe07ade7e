import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';
import type { Session, SessionPrincipal } from '../../sessions/index.js';
import type { ChallengeAnswer } from '../challenge-methods/challenge-method.js';

/** The stepped-up session and its new token (the one the request came with no longer works). */
export interface SteppedUp {
  session: Session;
  token: string;
}

/**
 * Verifies a factor for the current session; on success its re-auth window restarts, amr gains the
 * method, a pending step-up is cleared, and the session gets a new token.
 */
export class StepUpCommand extends Command<SteppedUp> {
  constructor(
    /** The signed-in user and the session to step up, as the guard read them. */
    readonly principal: SessionPrincipal,
    readonly input: ChallengeAnswer,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

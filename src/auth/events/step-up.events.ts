import type { ChallengeMethod } from '../mfa-challenge.entity.js';

/** A signed-in session verified a factor again: its re-auth window starts afresh. */
export class StepUpSucceededEvent {
  static readonly type = 'StepUpSucceeded';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly method: ChallengeMethod,
  ) {}
}

/** Audit action of a refused step-up (wrong or replayed code, unavailable method, throttled). */
export const STEP_UP_FAILED = 'StepUpFailed';

import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';
import type { Session } from '../../sessions/session.entity.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';

/** Verifies a factor for the current session; on success its re-auth window restarts and amr gains the method. */
export class StepUpCommand extends Command<Session> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly input: { method: ChallengeMethod; code: string },
    readonly request: RequestMeta,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';
import type { Session } from '../../sessions/session.entity.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';

/** Answers a login challenge with a second factor; on success the session opens at aal 2. */
export class VerifyMfaChallengeCommand extends Command<{ token: string; session: Session; deviceToken?: string }> {
  constructor(
    readonly challengeId: string,
    readonly input: { method: ChallengeMethod; code: string; rememberDevice?: boolean | undefined },
    readonly request: RequestMeta,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';

/** Mails a sign-in code to the challenged user's active e-mail factor (at most one a minute). */
export class SendChallengeEmailCodeCommand extends Command<void> {
  constructor(
    readonly challengeId: string,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

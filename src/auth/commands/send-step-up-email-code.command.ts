import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';
import type { SessionPrincipal } from '../../sessions/index.js';

/** Mails a step-up code for this session to the user's e-mail factor (at most one a minute). */
export class SendStepUpEmailCodeCommand extends Command<void> {
  constructor(
    readonly principal: SessionPrincipal,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

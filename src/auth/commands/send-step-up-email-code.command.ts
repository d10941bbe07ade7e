import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';

/** Mails a step-up code for this session to the user's e-mail factor (at most one a minute). */
export class SendStepUpEmailCodeCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

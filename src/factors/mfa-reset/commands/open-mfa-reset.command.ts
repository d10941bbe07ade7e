import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../../common/actor.js';

/**
 * Opens an MFA reset link with the user's password: answers a session that may only enrol a factor;
 * the first factor verified in it replaces the user's old ones. 410 for a used, replaced or old link.
 */
export class OpenMfaResetCommand extends Command<{ token: string }> {
  constructor(
    readonly token: string,
    readonly password: string,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';

/** The signed-in user changes their password; every other session of theirs is revoked. */
export class ChangePasswordCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly currentSessionId: string,
    readonly input: { currentPassword: string; newPassword: string },
    readonly request: RequestMeta,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';

/** "Sign out everywhere else": every session of the user but the current one. */
export class RevokeOtherSessionsCommand extends Command<{ revoked: number }> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly currentSessionId: string,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../../common/actor.js';

/**
 * Starts an MFA reset for a user of the tenant: e-mails them a single-use link valid for 24 hours.
 * Their factors keep working until a new one is verified through the link.
 */
export class RequestMfaResetCommand extends Command<{ resetId: string }> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

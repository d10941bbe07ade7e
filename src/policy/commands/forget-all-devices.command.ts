import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { Session } from '../../sessions/session.entity.js';

/**
 * Removes every factor and remembered device in the tenant (needs a recent re-auth); the users the
 * policy covers start a new grace period now.
 */
export class ForgetAllDevicesCommand extends Command<{ factorsRemoved: number }> {
  constructor(
    readonly tenantId: string,
    readonly session: Session,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

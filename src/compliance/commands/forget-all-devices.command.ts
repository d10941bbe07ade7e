import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { Session } from '../../sessions/index.js';
import type { WeakeningConfirmationInput } from '../mfa-weakening-confirmation.js';

/**
 * Removes every factor and remembered device in the tenant (needs a recent re-auth and the admin's
 * password and current code, like a weaker policy); the users the policy covers start a new grace
 * period now.
 */
export class ForgetAllDevicesCommand extends Command<{ factorsRemoved: number }> {
  constructor(
    readonly tenantId: string,
    readonly editor: { userId: string; session: Session },
    readonly confirmation: WeakeningConfirmationInput | undefined,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

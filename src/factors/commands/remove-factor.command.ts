import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { RemovalProofInput } from '../dto/remove-factor.schema.js';

/**
 * The signed-in user removes one of their factors, proving it with the password or a current code,
 * within the re-auth window of `sessionId`. Removing the last active factor also ends the user's
 * backup codes (and remembered devices).
 */
export class RemoveFactorCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly factorId: string,
    readonly proof: RemovalProofInput,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../../common/actor.js';
import type { VerifiedFactor } from '../../commands/verify-factor.command.js';

/** Proves a pending e-mail factor's address with the code mailed to it; every refusal is mfa_code_invalid. */
export class VerifyEmailFactorCommand extends Command<VerifiedFactor> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly factorId: string,
    readonly code: string,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

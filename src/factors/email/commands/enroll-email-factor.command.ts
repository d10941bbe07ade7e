import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../../common/actor.js';
import type { Session } from '../../../sessions/index.js';

/**
 * Starts an e-mail factor for `email` (default: the account's address) and mails it a code; the
 * factor stays pending until that code is verified. Asking again for the same address while its
 * enrolment is pending sends a new code to the same factor (at most one a minute).
 */
export class EnrollEmailFactorCommand extends Command<{ factorId: string }> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly email: string | undefined,
    readonly actor: Actor,
    readonly request: RequestMeta,
    /** The session asking: it must hold a fresh proof (see EnrolmentProof). */
    readonly session: Session,
  ) {
    super();
  }
}

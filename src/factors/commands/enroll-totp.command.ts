import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { Session } from '../../sessions/index.js';
import type { TotpProvisioning } from '../totp/provisioning.js';

export type TotpEnrollment = TotpProvisioning & { factorId: string };

/** Starts a TOTP enrolment: a pending factor whose secret is returned once, for the user's app. */
export class EnrollTotpCommand extends Command<TotpEnrollment> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly label: string | undefined,
    readonly actor: Actor,
    readonly request: RequestMeta,
    /** The session asking: it must hold a fresh proof (see EnrolmentProof). */
    readonly session: Session,
  ) {
    super();
  }
}

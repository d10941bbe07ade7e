import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';
import type { Session } from '../../sessions/index.js';
import type { MfaMethod } from '../../policy/index.js';
import type { MfaChallenge } from '../mfa-challenge.entity.js';

/**
 * Signed in (with the enrolment deadline while the user's grace period runs); or the password was
 * right and a second factor is due (the challenge to answer); or the user is past their deadline and
 * gets a session that can only enrol one.
 */
export type LoginResult =
  | { status: 'authenticated'; token: string; session: Session; enrollmentDeadline?: Date }
  | { status: 'mfa_required'; challenge: MfaChallenge }
  | { status: 'mfa_enrollment_required'; token: string; session: Session; allowedMethods: MfaMethod[] };

/** Password sign-in to a tenant. */
export class LoginCommand extends Command<LoginResult> {
  constructor(
    readonly input: {
      tenant: string;
      email: string;
      password: string;
      /** The key of the registered app the sign-in comes through (`X-Stepguard-App-Key` or `appKey`). */
      appKey?: string | undefined;
      deviceToken?: string | undefined;
    },
    readonly request: RequestMeta,
  ) {
    super();
  }
}

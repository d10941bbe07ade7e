import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';
import type { Session } from '../../sessions/session.entity.js';
import type { MfaChallenge } from '../mfa-challenge.entity.js';

export type LoginApp = 'console' | 'client';

/** Signed in, or the password was right and a second factor is due (the challenge to answer). */
export type LoginResult =
  { status: 'authenticated'; token: string; session: Session } | { status: 'mfa_required'; challenge: MfaChallenge };

/** Password sign-in to a tenant. */
export class LoginCommand extends Command<LoginResult> {
  constructor(
    readonly input: {
      tenant: string;
      email: string;
      password: string;
      app: LoginApp;
      deviceToken?: string | undefined;
    },
    readonly request: RequestMeta,
  ) {
    super();
  }
}

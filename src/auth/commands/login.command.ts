import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';
import type { Session } from '../../sessions/session.entity.js';

export type LoginApp = 'console' | 'client';

export interface LoginResult {
  status: 'authenticated';
  token: string;
  session: Session;
}

/** Password sign-in to a tenant. */
export class LoginCommand extends Command<LoginResult> {
  constructor(
    readonly input: { tenant: string; email: string; password: string; app: LoginApp },
    readonly request: RequestMeta,
  ) {
    super();
  }
}

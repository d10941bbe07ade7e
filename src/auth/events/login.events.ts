export type LoginFailureReason = 'unknown_tenant' | 'unknown_user' | 'wrong_password' | 'no_password' | 'rate_limited';

export class LoginFailedEvent {
  static readonly type = 'LoginFailed';
  constructor(
    readonly tenantId: string | null,
    readonly userId: string | null,
    readonly reason: LoginFailureReason,
  ) {}
}

export class LoginSucceededEvent {
  static readonly type = 'LoginSucceeded';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
  ) {}
}

export type LoginFailureReason =
  | 'unknown_tenant'
  | 'unknown_user'
  | 'wrong_password'
  | 'no_password'
  | 'rate_limited'
  /** The password was right when checked, but changed before the session could be opened. */
  | 'password_changed'
  /** The password was right, but the app key sent with it is not one of the tenant's live apps. */
  | 'unknown_app'
  /** A passwordless sign-in whose passkey assertion was refused (why: `details.refusal`). */
  | 'passkey_refused';

/**
 * A refused sign-in, one per refused request (it feeds the login metrics). `tenantId` and `userId`
 * are null when unknown, and for a rate-limited attempt that was only counted: those are refused
 * before any lookup (see LoginHandler).
 */
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

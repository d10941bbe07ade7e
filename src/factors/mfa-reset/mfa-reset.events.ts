/** An admin started an MFA reset for a user: a single-use link is on its way to them. */
export class MfaResetRequestedEvent {
  static readonly type = 'MfaResetRequested';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly resetId: string,
  ) {}
}

/** The user opened the reset link with their password: they may now enrol a new factor. */
export class MfaResetLinkUsedEvent {
  static readonly type = 'MfaResetLinkUsed';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly resetId: string,
    readonly sessionId: string,
  ) {}
}

/** The old factors replaced by the first one verified through an admin's MFA reset. */
export class MfaResetCompletedEvent {
  static readonly type = 'MfaResetCompleted';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly resetId: string,
    readonly factorId: string,
  ) {}
}

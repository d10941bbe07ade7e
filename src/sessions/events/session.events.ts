export class SessionCreatedEvent {
  static readonly type = 'SessionCreated';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
  ) {}
}

export class SessionRevokedEvent {
  static readonly type = 'SessionRevoked';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly reason: string,
  ) {}
}

/**
 * The session's token was replaced (a step-up, a raise to aal 2); recorded in the audit entry of the
 * change that caused it. `tokenFingerprint` tags the new token so sockets on the old one can be closed.
 */
export class SessionTokenRotatedEvent {
  static readonly type = 'SessionTokenRotated';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly tokenFingerprint: string,
  ) {}
}

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

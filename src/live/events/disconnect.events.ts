/** The Disconnect API flagged sessions: their sockets may reconnect only after a factor check (`POST /v1/auth/step-up`). */
export class StepUpRequestedEvent {
  static readonly type = 'StepUpRequested';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionIds: readonly string[],
    readonly reason: string,
  ) {}
}

/** A session's live sockets were closed by the Disconnect API. */
export class SessionDisconnectedEvent {
  static readonly type = 'SessionDisconnected';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionId: string,
    readonly sockets: number,
    readonly reason: string,
  ) {}
}

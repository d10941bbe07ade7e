/** What happens to an audit sink; each is audited on the sink's chain (the platform chain for platform sinks). */
abstract class SinkEvent {
  constructor(
    readonly tenantId: string | null,
    readonly sinkId: string,
  ) {}
}

export class AuditSinkCreatedEvent extends SinkEvent {
  static readonly type = 'AuditSinkCreated';
}
export class AuditSinkUpdatedEvent extends SinkEvent {
  static readonly type = 'AuditSinkUpdated';
}
export class AuditSinkSecretRotatedEvent extends SinkEvent {
  static readonly type = 'AuditSinkSecretRotated';
}
/** `keys rotate` sealed the sink's secrets again under the newest encryption key. */
export class AuditSinkSecretsReencryptedEvent extends SinkEvent {
  static readonly type = 'AuditSinkSecretsReencrypted';
}
export class AuditSinkDeletedEvent extends SinkEvent {
  static readonly type = 'AuditSinkDeleted';
}
/** By an admin, or by delivery after failing for longer than AUDIT_STREAM_PAUSE_AFTER_HOURS. */
export class AuditSinkPausedEvent extends SinkEvent {
  static readonly type = 'AuditSinkPaused';
}
export class AuditSinkResumedEvent extends SinkEvent {
  static readonly type = 'AuditSinkResumed';
}
/** The receiver answered 410 Gone: the sink stops until an admin resumes it. */
export class AuditSinkDisabledEvent extends SinkEvent {
  static readonly type = 'AuditSinkDisabled';
}
/** The receiver refused an event: delivery of that chain waits at it for an admin's retry or skip. */
export class AuditSinkParkedEvent extends SinkEvent {
  static readonly type = 'AuditSinkParked';
}
export class AuditSinkParkedEventRetriedEvent extends SinkEvent {
  static readonly type = 'AuditSinkParkedEventRetried';
}
/** An admin chose to leave a refused event undelivered: the one way an event is not delivered, and never silent. */
export class AuditSinkEventSkippedEvent extends SinkEvent {
  static readonly type = 'AuditSinkEventSkipped';
}
export class AuditSinkReplayedEvent extends SinkEvent {
  static readonly type = 'AuditSinkReplayed';
}

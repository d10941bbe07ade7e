/** Not audited (deliveries are not changes): counted by the metrics of the process that delivers. */
export class AuditBatchDeliveredEvent {
  constructor(
    readonly sinkId: string,
    readonly chainKey: string,
    /** Every stream item of the batch: audit events and checkpoints. */
    readonly items: number,
    readonly elapsedMs: number,
    /** The audit events among them (what the sink's lag in events counts). */
    readonly events: number,
  ) {}
}

export class AuditBatchFailedEvent {
  constructor(
    readonly sinkId: string,
    readonly chainKey: string,
    readonly outcome: 'retry' | 'rejected' | 'gone',
  ) {}
}

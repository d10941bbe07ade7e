/** Not audited (deliveries are not changes): counted by the metrics. */
export class AuditBatchDeliveredEvent {
  constructor(
    readonly sinkId: string,
    readonly chainKey: string,
    readonly items: number,
    readonly elapsedMs: number,
  ) {}
}

export class AuditBatchFailedEvent {
  constructor(
    readonly sinkId: string,
    readonly chainKey: string,
    readonly outcome: 'retry' | 'rejected' | 'gone',
  ) {}
}

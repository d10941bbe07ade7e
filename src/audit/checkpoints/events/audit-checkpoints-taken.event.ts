/**
 * Checkpoints were signed and committed, one per chain named: what streams them to the sinks wakes on
 * it, since an idle chain's heartbeat moves no seq. Published after each batch's commit.
 */
export class AuditCheckpointsTakenEvent {
  static readonly type = 'AuditCheckpointsTaken';

  constructor(
    readonly chainKeys: readonly string[],
    /** The checkpoints' `time`. */
    readonly time: string,
  ) {}
}

/**
 * The retention purge deleted the oldest events (or thinned the oldest checkpoints) of a chain: audited on
 * that chain in the purge's transaction, its details naming the purge so `audit verify` can match its record.
 */
export class AuditRetentionPurgedEvent {
  static readonly type = 'AuditRetentionPurged';

  constructor(
    readonly tenantId: string | null,
    readonly purge: number,
  ) {}
}

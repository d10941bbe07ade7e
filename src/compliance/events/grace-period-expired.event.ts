/** A user reached their enrolment deadline without a factor: their sessions were revoked and they were told. */
export class GracePeriodExpiredEvent {
  static readonly type = 'MfaGracePeriodExpired';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly deadline: Date,
    readonly sessionsRevoked: number,
  ) {}
}

/**
 * A refused second-factor attempt (a challenge verification, a step-up, a request for an e-mailed
 * code), one per refused request whether or not it was audited: it feeds the metrics. `action` is
 * the audit action the refusal has (or would have had), `code` the error code answered.
 */
export class SecondFactorRefusedEvent {
  static readonly type = 'SecondFactorRefused';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly action: string,
    readonly code: string,
    readonly audited: boolean,
  ) {}
}

import type { PolicyDiff } from '../mfa-policy.js';

/** A tenant's MFA policy was saved as a new version; `changes` holds each setting's old and new value. */
export class PolicyChangedEvent {
  static readonly type = 'PolicyChanged';
  constructor(
    readonly tenantId: string,
    readonly version: number,
    readonly previousVersion: number,
    readonly changes: PolicyDiff,
  ) {}
}

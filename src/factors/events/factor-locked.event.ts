/**
 * Too many consecutive wrong second-factor codes: the user's multi-factor sign-in is locked until an
 * administrator resets it, and the user is told by e-mail.
 */
export class FactorLockedEvent {
  static readonly type = 'FactorLocked';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly consecutiveFailures: number,
  ) {}
}

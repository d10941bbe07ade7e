/**
 * A passkey answered with a signature counter that did not move forward: two copies of its private key
 * exist (a cloned authenticator). The assertion is refused; the owner and the audit log are told.
 */
export class PasskeyCloneSuspectedEvent {
  static readonly type = 'PasskeyCloneSuspected';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly factorId: string,
  ) {}
}

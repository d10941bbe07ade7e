import { Command } from '@nestjs/cqrs';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { RequestMeta } from '../../common/actor.js';
import type { AuthenticationResponse } from '../../factors/index.js';
import type { Session } from '../../sessions/index.js';

/**
 * Options for a passwordless sign-in to a tenant whose policy allows it: no account is named, the browser
 * offers the passkeys it holds for this site, and user verification (biometrics or PIN) is required.
 */
export class BeginPasskeySignInCommand extends Command<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  constructor(
    readonly tenant: string,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

/**
 * Signs in with a passkey alone: the discoverable credential names its user, and its user-verified
 * assertion is both factors (the device, and the fingerprint or PIN that unlocked it), so the session is
 * aal 2 with `amr: ["webauthn"]`.
 */
export class SignInWithPasskeyCommand extends Command<{ token: string; session: Session }> {
  constructor(
    readonly input: { tenant: string; credential: AuthenticationResponse; appKey?: string | undefined },
    readonly request: RequestMeta,
  ) {
    super();
  }
}

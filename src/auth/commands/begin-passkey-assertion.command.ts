import { Command } from '@nestjs/cqrs';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { SessionPrincipal } from '../../sessions/index.js';

/** Where the assertion will be answered: a login challenge, or this session's step-up. */
export type PasskeyPromptSite = { challengeId: string } | { principal: SessionPrincipal };

/**
 * Options for `navigator.credentials.get()` over a fresh single-use challenge, offering the user's passkeys;
 * the assertion then goes to the challenge's `verify` or to `POST /v1/auth/step-up`, with `method: "webauthn"`.
 */
export class BeginPasskeyAssertionCommand extends Command<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  constructor(readonly site: PasskeyPromptSite) {
    super();
  }
}

import { Command } from '@nestjs/cqrs';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { Actor, RequestMeta } from '../../../common/actor.js';
import type { Session } from '../../../sessions/index.js';

export interface PasskeyEnrollment {
  factorId: string;
  /** For `navigator.credentials.create()` (@simplewebauthn/browser's `startRegistration({ optionsJSON })`). */
  options: PublicKeyCredentialCreationOptionsJSON;
}

/**
 * Starts a passkey registration: a pending factor and a single-use challenge for the browser to sign. The
 * browser's answer goes to `POST /v1/me/factors/{factorId}/verify` as `{ credential }`.
 */
export class EnrollPasskeyCommand extends Command<PasskeyEnrollment> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly label: string | undefined,
    readonly actor: Actor,
    readonly request: RequestMeta,
    /** The session asking: it must hold a fresh proof (see EnrolmentProof). */
    readonly session: Session,
  ) {
    super();
  }
}

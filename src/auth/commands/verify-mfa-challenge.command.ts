import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';
import type { MfaMethod } from '../../policy/index.js';
import type { Session } from '../../sessions/index.js';
import type { ChallengeAnswer } from '../challenge-methods/challenge-method.js';

/** A remembered-device token and when it stops skipping the challenge. */
export interface IssuedDevice {
  token: string;
  expiresAt: Date;
}

/**
 * Answers a login challenge with a second factor; on success the session opens at aal 2, and with
 * `rememberDevice` a device token comes too (unless the tenant remembers no devices).
 */
export interface ChallengeAnswered {
  token: string;
  session: Session;
  device?: IssuedDevice;
  /**
   * The factor answered does not count for this user and their deadline has passed (a role held to
   * passkeys, answering with a code): the session may only set up one of these methods.
   */
  enrollmentRequired?: { allowedMethods: MfaMethod[] };
}

export class VerifyMfaChallengeCommand extends Command<ChallengeAnswered> {
  constructor(
    readonly challengeId: string,
    readonly input: ChallengeAnswer & { rememberDevice?: boolean | undefined },
    readonly request: RequestMeta,
  ) {
    super();
  }
}

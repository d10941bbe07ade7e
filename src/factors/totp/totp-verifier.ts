import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../common/app-config.js';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { Factor } from '../factor.entity.js';
import { FactorSecrets } from '../factor-secrets.js';
import { matchTotpStep, TOTP_SECRET_BYTES } from './totp.js';

/**
 * Checks TOTP codes and accepts each time step at most once (ARCHITECTURE invariant 3). Every TOTP
 * check goes through it: enrolment verification, the login challenge and step-up (TotpChallengeMethod),
 * and the code that confirms a factor removal or a weaker policy (RemovalProof).
 */
@Injectable()
export class TotpVerifier {
  // Codes for unknown factors are checked against this, so a missing factor costs the same time.
  private readonly decoy = randomBytes(TOTP_SECRET_BYTES);

  constructor(
    private readonly secrets: FactorSecrets,
    private readonly config: AppConfig,
  ) {}

  /** The time step `code` matches for `factor` at `now`, or null; `null` factor: same work, never a match. */
  match(factor: Factor | null, code: string, now: Date): number | null {
    const real = factor?.type === 'totp';
    const secret = real ? this.secrets.openToVerify(factor) : this.decoy;
    try {
      const step = matchTotpStep(secret, code, now, { window: this.config.env.TOTP_WINDOW_STEPS });
      return real ? step : null;
    } finally {
      if (real) secret.fill(0);
    }
  }

  /** Accepts the matched step inside the caller's transaction; false when it was already used or a later one was. */
  consume(tx: Tx, factor: Factor, step: number, now: Date): Promise<boolean> {
    return tx.em.getRepository(Factor).acceptStep(factor, step, now);
  }
}

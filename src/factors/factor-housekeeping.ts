import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { deleteInBatches } from '../infra/database/delete-in-batches.js';
import { PENDING_FACTOR_TTL_MS } from './factor.entity.js';

/**
 * Removes what the factors slice leaves behind once it can never be used: enrolments never verified
 * (with their e-mail codes), spent e-mail codes and passkey ceremonies. Housekeeping, not a security change: these rows
 * already fail every check, so nothing is audited.
 */
@Injectable()
export class FactorHousekeeping {
  constructor(private readonly orm: MikroORM) {}

  /** Purges what was dead before `before`; returns the counts. */
  async purge(
    before: Date,
    batchSize: number,
  ): Promise<{ pendingFactors: number; emailCodes: number; passkeyCeremonies: number }> {
    const em = this.orm.em.fork();
    const abandonedBefore = new Date(before.getTime() - PENDING_FACTOR_TTL_MS);
    // Expired codes are dead however they ended; a used or replaced one is dead too, but its row keeps
    // the 60 s resend clock and is kept until it would have expired anyway.
    const emailCodes = await deleteInBatches(em, 'email_codes', 'expires_at < ?', [before], batchSize);
    const pendingFactors = await deleteInBatches(
      em,
      'factors',
      `status = 'pending' and created_at < ?`,
      [abandonedBefore],
      batchSize,
    );
    const passkeyCeremonies = await deleteInBatches(em, 'webauthn_challenges', 'expires_at < ?', [before], batchSize);
    return { pendingFactors, emailCodes, passkeyCeremonies };
  }
}

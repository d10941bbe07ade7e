import type { Tx } from '../common/cqrs/unit-of-work.js';

/**
 * Serialises changes to one user's factors and backup codes until the transaction ends (the same
 * lock enrolment takes): two activations cannot both see "no active factor yet", and two
 * regenerations cannot leave two sets behind. Re-entrant within a transaction.
 */
export async function lockUserFactors(tx: Tx, userId: string): Promise<void> {
  await tx.em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`factors:${userId}`]);
}

import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { DomainError } from '../common/errors/domain-error.js';
import { User } from '../identity/index.js';
import type { MfaChallenge } from './mfa-challenge.entity.js';

export const challengeExpired = () =>
  new DomainError('challenge_expired', 'This sign-in challenge has expired or was used');

/**
 * Refuses (410) a challenge opened with a password that has changed since. With `lock`, inside the
 * transaction that opens the session, the user row is read FOR SHARE, as login does: a password
 * change that committed first is seen (READ COMMITTED re-reads the row it waited for), and one that
 * comes after waits for this commit, and its revocation then finds the session opened here.
 */
export async function assertChallengeBound(em: EntityManager, challenge: MfaChallenge, lock = false): Promise<void> {
  const user = await em.findOne(
    User,
    { tenantId: challenge.tenantId, id: challenge.userId },
    lock ? { lockMode: LockMode.PESSIMISTIC_READ, refresh: true } : {},
  );
  if (!user || !challenge.isBoundTo(user)) throw challengeExpired();
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { BackupCode, Factor } from '../../factors/index.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';

/**
 * Whether the matched factor (or backup code) already existed when the session was opened. Whoever holds
 * a session can add a factor to it (given a fresh check), but that factor proves only that they hold it,
 * never that they are the user: step-up and the proofs for sensitive changes count only credentials the
 * user had before this session began (the fix Keycloak made for CVE-2023-3597).
 */
export async function existedBeforeSession(
  em: EntityManager,
  method: ChallengeMethod,
  matchedId: string,
  sessionCreatedAt: Date,
): Promise<boolean> {
  if (method === 'backup_code') {
    const code = await em.findOne(BackupCode, { id: matchedId }, { fields: ['createdAt'] });
    return !!code && code.createdAt < sessionCreatedAt;
  }
  const factor = await em.findOne(Factor, { id: matchedId }, { fields: ['verifiedAt'] });
  return !!factor?.verifiedAt && factor.verifiedAt < sessionCreatedAt;
}

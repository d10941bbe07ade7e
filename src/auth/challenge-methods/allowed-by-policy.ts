import type { MfaPolicySettings } from '../../policy/index.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';

/**
 * The challenge methods the tenant's policy accepts: a factor of a disallowed method no longer counts,
 * and backup codes stand in only for a user who still has an allowed factor. Login challenges and
 * step-ups both offer exactly these.
 */
export function allowedByPolicy<M extends ChallengeMethod>(methods: M[], policy: MfaPolicySettings): M[] {
  const factors = methods.filter((m) => m !== 'backup_code' && (policy.allowedMethods as string[]).includes(m));
  return factors.length ? methods.filter((m) => m === 'backup_code' || factors.includes(m)) : [];
}

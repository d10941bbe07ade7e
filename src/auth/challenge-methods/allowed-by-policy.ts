import type { Role } from '../../common/access/roles.js';
import { acceptedMethodsFor, type EnforcementRules, needsPhishingResistance } from '../../policy/index.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';

/** Of `methods`, the factors among `accepted`, with backup codes beside them when `codes` and a factor remains. */
function offer<M extends ChallengeMethod>(methods: M[], accepted: readonly string[], codes: boolean): M[] {
  const factors = methods.filter((m) => m !== 'backup_code' && accepted.includes(m));
  if (!factors.length) return [];
  return methods.filter((m) => (m === 'backup_code' ? codes : factors.includes(m)));
}

/**
 * The challenge methods the tenant's policy accepts from someone with these roles: a factor of a
 * disallowed method no longer counts, and backup codes stand in only for a user who still has an allowed
 * factor. Login challenges and step-ups both offer exactly these.
 *
 * A role held to passkeys is offered its passkeys alone, and no backup code (a code can be phished like
 * any other). Until such a user has a passkey, their other factors still guard the sign-in (and the way to
 * the set-up page once overdue): without them a password alone would open the account, and could add the
 * thief's passkey. They count for nothing toward compliance.
 */
export function allowedByPolicy<M extends ChallengeMethod>(
  methods: M[],
  policy: EnforcementRules,
  roles: readonly Role[],
): M[] {
  if (needsPhishingResistance(policy, roles)) {
    const resistant = offer(methods, acceptedMethodsFor(policy, roles), false);
    if (resistant.length) return resistant;
  }
  return offer(methods, policy.allowedMethods, true);
}

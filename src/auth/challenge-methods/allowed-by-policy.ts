import type { Role } from '../../common/access/roles.js';
import { acceptedMethodsFor, type EnforcementRules, needsPhishingResistance } from '../../policy/index.js';
import type { ChallengeMethod } from '../mfa-challenge.entity.js';

/**
 * The challenge methods the tenant's policy accepts from someone with these roles: a factor of a method
 * not accepted for them no longer counts, and backup codes stand in only for a user who still has an
 * accepted factor. Login challenges and step-ups both offer exactly these.
 */
export function allowedByPolicy<M extends ChallengeMethod>(
  methods: M[],
  policy: EnforcementRules,
  roles: readonly Role[],
): M[] {
  const accepted: readonly string[] = acceptedMethodsFor(policy, roles);
  const factors = methods.filter((m) => m !== 'backup_code' && accepted.includes(m));
  if (!factors.length) return [];
  // A backup code can be phished like any code: a role held to passkeys gets none to fall back on.
  const codes = !needsPhishingResistance(policy, roles);
  return methods.filter((m) => (m === 'backup_code' ? codes : factors.includes(m)));
}

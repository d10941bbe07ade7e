import { ROLES } from '../common/access/roles.js';
import type { MfaPolicySettings } from './mfa-policy.js';

/** A way a policy change lowers protection for someone; the audit log records them by these names. */
export const WEAKENINGS = [
  'requireMfa',
  'requiredRoles',
  'enforceOn',
  'gracePeriodDays',
  'allowedMethods',
  'rememberDeviceDays',
  'reauthMaxAgeMinutes',
  'connectionPolicy',
  'phishingResistantRoles',
] as const;
export type Weakening = (typeof WEAKENINGS)[number];

/**
 * What `after` weakens of `before`: each setting under which someone is less protected afterwards.
 * The enforcement settings (roles, apps, grace) protect nobody while MFA is not required, so they
 * weaken only a policy that requires MFA and still does; turning it off is `requireMfa` itself. The
 * other settings act whether MFA is required or not (sign-in offers only allowed methods, remembered
 * devices skip the code, the re-auth window and the connection check guard every session).
 */
export function policyWeakenings(before: MfaPolicySettings, after: MfaPolicySettings): Weakening[] {
  const found = new Set<Weakening>();
  if (before.requireMfa && !after.requireMfa) found.add('requireMfa');
  if (before.requireMfa && after.requireMfa) {
    if (!covers(rolesCovered(after.requiredRoles), rolesCovered(before.requiredRoles))) found.add('requiredRoles');
    if (!covers(after.enforceOn, before.enforceOn)) found.add('enforceOn');
    if (after.gracePeriodDays > before.gracePeriodDays) found.add('gracePeriodDays');
  }
  if (!covers(after.allowedMethods, before.allowedMethods)) found.add('allowedMethods');
  if (after.rememberDeviceDays > before.rememberDeviceDays) found.add('rememberDeviceDays');
  if (after.reauthMaxAgeMinutes > before.reauthMaxAgeMinutes) found.add('reauthMaxAgeMinutes');
  const connection = (s: MfaPolicySettings) => s.connectionPolicy;
  if (connection(before).totpPriorConnection && !connection(after).totpPriorConnection) found.add('connectionPolicy');
  if (connection(before).biometricPriorConnection && !connection(after).biometricPriorConnection) {
    found.add('connectionPolicy');
  }
  // A role taken off the list may use codes again, which a look-alike site can relay. A role added is
  // stricter: its people's codes still guard their sign-in until they add a passkey, and no longer count.
  if (!covers(after.phishingResistantRoles, before.phishingResistantRoles)) found.add('phishingResistantRoles');
  // `passkeySignIn` is no weakening either way: a passkey with user verification is itself two factors
  // (the device held, and the fingerprint, face or PIN that unlocks it) and bound to the site's origin.
  return WEAKENINGS.filter((w) => found.has(w));
}

function covers(superset: readonly string[], subset: readonly string[]): boolean {
  return subset.every((item) => superset.includes(item));
}

/** No roles listed means every role. */
function rolesCovered(roles: readonly string[]): readonly string[] {
  return roles.length === 0 ? ROLES : roles;
}

import type { App } from '../identity/index.js';
import type { Role } from '../common/access/roles.js';

/**
 * Who must have a second factor, by when: a pure function of the tenant's rules, the subject and
 * the time the caller passes in. No I/O and no clock reads, so guards, `/v1/me` and the
 * grace-period worker all reach the same verdict for the same inputs.
 */

export const MFA_METHODS = ['totp', 'email', 'webauthn'] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

/** The part of a tenant's MFA policy that decides who must have a second factor by when. */
export interface EnforcementRules {
  requireMfa: boolean;
  /** Empty = every role. */
  requiredRoles: readonly Role[];
  /** 0..90; 0 means overdue as soon as the subject is in scope. */
  gracePeriodDays: number;
  allowedMethods: readonly MfaMethod[];
  enforceOn: readonly App[];
  /** Roles for which only a phishing-resistant method (a passkey) satisfies MFA; empty: none. */
  phishingResistantRoles: readonly Role[];
}

/** Methods bound to the site's origin, so a look-alike site cannot relay them: passkeys. */
export const PHISHING_RESISTANT_METHODS: readonly MfaMethod[] = ['webauthn'];

export interface PolicySubject {
  /** `integration` = an API key: it cannot hold a second factor, so it is always exempt. */
  kind: 'user' | 'integration';
  roles: readonly Role[];
  /** The types of the user's active factors (duplicates possible). */
  activeFactorTypes: readonly MfaMethod[];
  /** When the user came into the policy's scope (stored by the caller); null = not in scope on record. */
  scopeStartedAt: Date | null;
}

export type MfaCompliance =
  | { status: 'exempt' }
  | { status: 'compliant' }
  | { status: 'grace'; deadline: Date }
  | { status: 'overdue'; deadline: Date };

const DAY_MS = 24 * 60 * 60 * 1000;

/** The policy applies to these roles: MFA is required and the roles meet `requiredRoles`. The app is a separate axis. */
export function isInScope(rules: EnforcementRules, roles: readonly Role[]): boolean {
  if (!rules.requireMfa) return false;
  return rules.requiredRoles.length === 0 || roles.some((role) => rules.requiredRoles.includes(role));
}

/**
 * Whether someone with these roles is held to phishing-resistant methods only. Only in scope: a user the
 * policy does not require MFA of keeps being asked for the factors they chose (else they would sign in
 * with a password alone).
 */
export function needsPhishingResistance(rules: EnforcementRules, roles: readonly Role[]): boolean {
  return isInScope(rules, roles) && roles.some((role) => rules.phishingResistantRoles.includes(role));
}

/**
 * The methods whose factors satisfy MFA for someone with these roles: the allowed ones, and of those only
 * the phishing-resistant ones for a role held to them (a relayed code would otherwise pass for an admin).
 */
export function acceptedMethodsFor(rules: EnforcementRules, roles: readonly Role[]): MfaMethod[] {
  const strict = needsPhishingResistance(rules, roles);
  return rules.allowedMethods.filter((method) => !strict || PHISHING_RESISTANT_METHODS.includes(method));
}

/** At least one active factor of a method accepted for these roles; a factor of another method does not count. */
export function countsAsEnrolled(
  rules: EnforcementRules,
  roles: readonly Role[],
  activeFactorTypes: readonly MfaMethod[],
): boolean {
  const accepted = acceptedMethodsFor(rules, roles);
  return activeFactorTypes.some((type) => accepted.includes(type));
}

/** `scopeStartedAt` + `gracePeriodDays` × 24 h, to the millisecond (no calendar or DST arithmetic). */
export function graceDeadline(rules: EnforcementRules, scopeStartedAt: Date): Date {
  return new Date(scopeStartedAt.getTime() + rules.gracePeriodDays * DAY_MS);
}

/**
 * The subject's standing under `rules` at `now`. `app` null means no particular app (e.g. the
 * `/v1/me` status), so `enforceOn` is not consulted. Overdue from the deadline millisecond on.
 */
export function evaluateMfa(
  rules: EnforcementRules,
  subject: PolicySubject,
  app: App | null,
  now: Date,
): MfaCompliance {
  if (subject.kind === 'integration') return { status: 'exempt' };
  if (!isInScope(rules, subject.roles)) return { status: 'exempt' };
  if (app !== null && !rules.enforceOn.includes(app)) return { status: 'exempt' };
  if (countsAsEnrolled(rules, subject.roles, subject.activeFactorTypes)) return { status: 'compliant' };
  // A missing scope start means the caller has not recorded it yet, not that the user has been in
  // scope forever: counting from now means a missing record can never make anyone overdue.
  const deadline = graceDeadline(rules, subject.scopeStartedAt ?? now);
  return now.getTime() < deadline.getTime() ? { status: 'grace', deadline } : { status: 'overdue', deadline };
}

import { pgTextArray } from '../../infra/database/pg-text-array.js';
import { type EnforcementRules, PHISHING_RESISTANT_METHODS } from '../policy-engine.js';
import { inScopeParams, inScopeSql } from './in-scope.sql.js';

/**
 * `acceptedMethodsFor` in SQL, for the `roles` column named: a text[] of the allowed methods, or only the
 * phishing-resistant ones among them for a user in scope who holds a role held to them. Takes the six
 * parameters of `acceptedMethodsParams`, in order.
 */
export const acceptedMethodsSql = (roles: string) =>
  `(case when ${inScopeSql(roles)} and ${roles} && ?::text[] then ?::text[] else ?::text[] end)`;

/** Roles and methods go in as PostgreSQL array literals: an array parameter would be expanded into a list. */
export const acceptedMethodsParams = (rules: EnforcementRules): unknown[] => [
  ...inScopeParams(rules),
  pgTextArray(rules.phishingResistantRoles),
  pgTextArray(rules.allowedMethods.filter((m) => PHISHING_RESISTANT_METHODS.includes(m))),
  pgTextArray(rules.allowedMethods),
];

/**
 * For a query that reads the policy from `mfa_policy_versions` (aliased `p`) and already keeps to users in
 * scope: whether the factor type column named is accepted from the user with the `roles` column named.
 */
export const acceptedFactorOfStoredPolicySql = (type: string, roles: string) =>
  `(${type} = any(p.allowed_methods) and (${type} in (${PHISHING_RESISTANT_METHODS.map((m) => `'${m}'`).join(', ')})` +
  ` or not (${roles} && p.phishing_resistant_roles)))`;

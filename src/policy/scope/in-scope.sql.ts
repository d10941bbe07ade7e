import { pgTextArray } from '../../infra/database/pg-text-array.js';
import type { EnforcementRules } from '../policy-engine.js';

/**
 * `isInScope` in SQL, for the `roles` column named: true when MFA is required and the roles meet
 * `requiredRoles` (empty = every role). Takes the three parameters of `inScopeParams`, in order.
 */
export const inScopeSql = (roles: string) => `(?::boolean and (cardinality(?::text[]) = 0 or ${roles} && ?::text[]))`;

/** Roles go in as one PostgreSQL array literal: an array parameter would be expanded into a list. */
export const inScopeParams = (rules: EnforcementRules): unknown[] => {
  const roles = pgTextArray(rules.requiredRoles);
  return [rules.requireMfa, roles, roles];
};

import { readOf } from '../common/access/principal-read.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { type EnforcementRules, evaluateMfa, type MfaCompliance } from '../policy/index.js';
import { type AuthenticatedSession, readForSessionsOf } from '../sessions/index.js';

/**
 * The user's factors and scope start, read with the session only when it is bound to the console: the
 * sessions of client apps and unbound ones read nothing more.
 */
export const CONSOLE_SESSION_MFA = readForSessionsOf('console', MFA_OF_USER);

/**
 * The live connection serves the tenant's client apps, so a session opened through the console is held
 * to the client app's rules there: the user's standing for `client`, by the same engine as sign-in. Null
 * for every other session: an unbound one was held to every app's rules at sign-in, a client app's to
 * the client's, and grace enforcement ends both when the user falls overdue.
 */
export function clientStandingOfConsoleSession(
  found: AuthenticatedSession,
  rules: EnforcementRules,
  now: Date,
): MfaCompliance | null {
  const mfa = readOf(found.reads, CONSOLE_SESSION_MFA);
  if (!mfa) return null;
  const subject = {
    kind: 'user' as const,
    roles: found.user.roles,
    activeFactorTypes: mfa.factors.map((f) => f.type),
    scopeStartedAt: mfa.scopeStartedAt,
  };
  return evaluateMfa(rules, subject, 'client', now);
}

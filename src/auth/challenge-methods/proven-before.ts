import type { MatchedCode } from './challenge-method.js';

/**
 * Whether the matched factor (or backup code) already existed when the session was opened. Whoever holds
 * a session can add a factor to it (given a fresh check), but that factor proves only that they hold it,
 * never that they are the user: step-up and the proofs for sensitive changes count only credentials the
 * user had before this session began (the fix Keycloak made for CVE-2023-3597).
 */
export function existedBeforeSession(matched: MatchedCode, sessionCreatedAt: Date): boolean {
  return matched.since !== null && matched.since < sessionCreatedAt;
}

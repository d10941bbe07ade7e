/** Whose second factor is being checked: the budgets, the failure streak and the refusal records are theirs. */
export interface ChallengeSubject {
  tenantId: string;
  userId: string;
}

/**
 * A login challenge lives this long: enough to open an authenticator app, short enough to be useless
 * later. The per-challenge budgets and refusal windows last as long, so a challenge never outlives them.
 */
export const CHALLENGE_TTL_MS = 5 * 60_000;

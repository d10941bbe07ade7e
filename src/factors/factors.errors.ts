import { conflict, DomainError } from '../common/errors/domain-error.js';

/**
 * One answer for every failed verification (wrong code, replayed step, unknown, expired or another
 * user's factor): which of them it was would tell a guesser what to try next. The audit log keeps it.
 */
export const mfaCodeInvalid = () => new DomainError('mfa_code_invalid', 'The code is not valid');

export const tooManyTotpFactors = (max: number) =>
  conflict(`A user may have at most ${max} authenticator apps (counting enrolments not yet verified)`);

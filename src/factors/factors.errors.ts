import { conflict, DomainError } from '../common/errors/domain-error.js';

/**
 * One answer for every failed verification (wrong code, replayed step, unknown, expired or another
 * user's factor): which of them it was would tell a guesser what to try next. The audit log keeps it.
 */
export const mfaCodeInvalid = () => new DomainError('mfa_code_invalid', 'The code is not valid');

/**
 * The right code, sent again after it was used (a double click, a retried request): said plainly, and
 * never counted as a failure. Only a code that matched can get this answer, so it tells a guesser nothing.
 */
export const codeAlreadyUsed = () =>
  new DomainError('code_already_used', 'This code was already used: your first request went through');

export const tooManyTotpFactors = (max: number) =>
  conflict(`A user may have at most ${max} authenticator apps (counting enrolments not yet verified)`);

import { conflict, DomainError } from '../common/errors/domain-error.js';

/**
 * One answer for every failed verification (wrong code, replayed step, unknown, expired or another
 * user's factor): which of them it was would tell a guesser what to try next. The audit log keeps it.
 */
export const mfaCodeInvalid = () => new DomainError('mfa_code_invalid', 'The code is not valid');

/** A refused passkey assertion: the same answer as a wrong code; why (for the audit log) rides along privately. */
export const passkeyRefused = (refusal: string) =>
  new DomainError('mfa_code_invalid', 'The code is not valid', { debug: refusal });

/**
 * A code that matched but had already been used up, by a concurrent request (double click, client
 * retry) or an earlier one: no failure toward the streak. It is only ever answered after the code
 * matched, so it tells a guesser nothing a 401 would not: the code it names is spent for good.
 */
export const codeAlreadyUsed = () =>
  new DomainError('code_already_used', 'This code was already used: if you sent it twice, the first went through');

export const tooManyTotpFactors = (max: number) =>
  conflict(`A user may have at most ${max} authenticator apps (counting enrolments not yet verified)`);

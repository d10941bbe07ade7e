import { conflict, DomainError } from '../../common/errors/domain-error.js';

/** A session opened with a backup code may not mint new ones: a stolen code must not become ten. */
export const degradedSession = () =>
  new DomainError('degraded_session', 'This session was opened with a backup code; sign in with a factor first');

export const noActiveFactor = () => conflict('Backup codes need at least one active factor');

import type { UserPrincipal } from '../common/access/principal.js';
import type { Session } from './session.entity.js';

/** A signed-in user with the whole session entity the guard resolved (for the slices that may import sessions). */
export type SessionPrincipal = UserPrincipal<Session>;

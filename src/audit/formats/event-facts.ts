import type { AuditEventView } from '../queries/list-audit-events.query.js';

/**
 * The user an event is about: its target when that is a user, else the user its details name (a
 * revoked session's owner), else its actor when that is a user (someone enrolling their own factor).
 */
export function subjectUserId(event: AuditEventView): string | null {
  if (event.target?.type === 'user' && event.target.id) return event.target.id;
  const named = event.details['userId'];
  if (typeof named === 'string') return named;
  return event.actor.type === 'user' ? event.actor.id : null;
}

/** The actor's id when the actor is a user. */
export function actingUserId(event: AuditEventView): string | null {
  return event.actor.type === 'user' ? event.actor.id : null;
}

/**
 * The e-mail address the details hold: at a refused sign-in, what was typed when it is an address (the
 * only name an unknown user has); a new user's address.
 */
export function emailDetail(event: AuditEventView): string | null {
  const email = event.details['email'];
  return typeof email === 'string' ? email : null;
}

/** The session an event concerns: its target, else the one its details name. */
export function sessionIdOf(event: AuditEventView): string | null {
  if (event.target?.type === 'session' && event.target.id) return event.target.id;
  const named = event.details['sessionId'];
  return typeof named === 'string' ? named : null;
}

/** A string detail, when the details hold one under that name. */
export function stringDetail(event: AuditEventView, name: string): string | null {
  const value = event.details[name];
  return typeof value === 'string' ? value : null;
}

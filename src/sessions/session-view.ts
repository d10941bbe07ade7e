import type { Session } from './session.entity.js';

/** Every field the API shows of a session, each built here once. */
const FIELDS = {
  id: (s: Session) => s.id,
  /** Whether it is the session making the request. */
  current: (s: Session, currentSessionId: string | null) => s.id === currentSessionId,
  deviceType: (s: Session) => s.deviceType,
  browser: (s: Session) => s.browser,
  os: (s: Session) => s.os,
  ip: (s: Session) => s.ip,
  location: (s: Session) => s.location,
  createdAt: (s: Session) => s.createdAt.toISOString(),
  lastActiveAt: (s: Session) => s.lastActiveAt.toISOString(),
  expiresAt: (s: Session) => s.expiresAt.toISOString(),
  authenticatedAt: (s: Session) => s.authenticatedAt.toISOString(),
  aal: (s: Session) => s.aal,
  /** The kind of app whose key opened it; null when signed in without one. */
  app: (s: Session) => s.app,
  amr: (s: Session) => s.amr,
};

export type SessionField = keyof typeof FIELDS;
export type SessionView<F extends SessionField = SessionField> = { [K in F]: ReturnType<(typeof FIELDS)[K]> };

/**
 * The session as an answer shows it: the `fields` it documents, in that order (the JSON keeps it).
 * `currentSessionId` is the caller's own session, for `current`.
 */
export function sessionView<const F extends SessionField>(
  session: Session,
  fields: readonly F[],
  currentSessionId: string | null = null,
): SessionView<F> {
  return Object.fromEntries(fields.map((f) => [f, FIELDS[f](session, currentSessionId)])) as SessionView<F>;
}

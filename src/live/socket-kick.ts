import { SESSION_REVOKED_EVENT, STEP_UP_REQUIRED_EVENT, TOKEN_REPLACED } from './socket-events.js';

export type KickCause = 'step_up_required' | 'session_revoked';

/**
 * What the nodes are told to do: close these sessions' sockets, saying why (session id → reason). One
 * kick carries a whole round of Disconnect API requests. Crosses Redis as JSON.
 */
export interface SocketKick {
  /** `step_up_required`: a factor check lets the session connect again; `session_revoked`: it never will. */
  cause: KickCause;
  reasons: Record<string, string>;
  /**
   * Per session id, the fingerprint of its current token: sockets connected with it stay open. Set when a
   * token was replaced, so only the sockets still on the old one close (a thief's, or the app's own
   * before it reconnects with the new token).
   */
  keep?: Record<string, string>;
}

export const kickOf = (cause: KickCause, sessionIds: readonly string[], reason: string): SocketKick => ({
  cause,
  reasons: Object.fromEntries(sessionIds.map((id) => [id, reason])),
});

/** Closes the sockets of a session still on a token it no longer has. */
export const tokenReplacedKick = (sessionId: string, currentFingerprint: string): SocketKick => ({
  cause: 'session_revoked',
  reasons: { [sessionId]: TOKEN_REPLACED },
  keep: { [sessionId]: currentFingerprint },
});

/** Sockets one node closed, per session id (sessions it held no socket of are left out). */
export type KickReport = Record<string, number>;

/** A node's answer to a kick: who it is (see LiveNodes) and what it closed. */
export interface KickAnswer {
  node: string;
  closed: KickReport;
}

export const KICK_EVENT = 'stepguard:kick';

export interface InterServerEvents {
  /** `done` is missing at run time when a kick is published unasked (a worker's emitter, an unsubscribed node). */
  [KICK_EVENT]: (kick: SocketKick, done: (answer: KickAnswer) => void) => void;
}

export const eventFor = (cause: KickCause) =>
  cause === 'step_up_required' ? STEP_UP_REQUIRED_EVENT : SESSION_REVOKED_EVENT;

/** How many sockets a report counts, on every session. */
export const socketsIn = (report: KickReport) => Object.values(report).reduce((sum, n) => sum + n, 0);

export function mergeReports(reports: readonly KickReport[]): KickReport {
  const merged: KickReport = {};
  for (const report of reports) {
    for (const [sessionId, sockets] of Object.entries(report)) merged[sessionId] = (merged[sessionId] ?? 0) + sockets;
  }
  return merged;
}

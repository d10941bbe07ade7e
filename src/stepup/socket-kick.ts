import { SESSION_REVOKED_EVENT, STEP_UP_REQUIRED_EVENT } from './socket-events.js';

/** What the nodes are told to do: close these sessions' sockets, saying why. Crosses Redis as JSON. */
export interface SocketKick {
  sessionIds: string[];
  reason: string;
  /** `step_up_required`: a factor check lets the session connect again; `session_revoked`: it never will. */
  cause: 'step_up_required' | 'session_revoked';
}

/** Sockets one node closed, per session id (sessions it held no socket of are left out). */
export type KickReport = Record<string, number>;

export const KICK_EVENT = 'stepguard:kick';

export interface InterServerEvents {
  [KICK_EVENT]: (kick: SocketKick, done: (report: KickReport) => void) => void;
}

export const eventFor = (cause: SocketKick['cause']) =>
  cause === 'step_up_required' ? STEP_UP_REQUIRED_EVENT : SESSION_REVOKED_EVENT;

export function mergeReports(reports: readonly KickReport[]): KickReport {
  const merged: KickReport = {};
  for (const report of reports) {
    for (const [sessionId, sockets] of Object.entries(report)) merged[sessionId] = (merged[sessionId] ?? 0) + sockets;
  }
  return merged;
}

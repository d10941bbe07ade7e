/** What a user's page says after one of its actions (POST-redirect-GET: the action's name in `?done=`). */
export function userNotice(query: Record<string, unknown>, email: string): string | null {
  switch (query.done) {
    case 'revoked':
      return 'The session was ended. That device must sign in again, and its live connections were closed.';
    case 'mfa-reset':
      return (
        `We e-mailed ${email} a link to set up two-step verification again. It works once, within 24 hours. ` +
        'Their current methods keep working until they set up a new one through the link.'
      );
    default:
      return null;
  }
}

/**
 * The Disconnect's outcome in words, from the counts its redirect carries (no secret: numbers the admin
 * was just told), or null after any other action.
 */
export function disconnectNotice(query: Record<string, unknown>): { summary: string; nodes: string } | null {
  if (query.done !== 'disconnected') return null;
  const sessions = count(query.sessions);
  const sockets = count(query.sockets);
  if (sessions === null || sockets === null) return null;
  const summary =
    sessions === 0
      ? 'The user had no live session: nothing was flagged.'
      : `${sessions} ${sessions === 1 ? 'session' : 'sessions'} must verify with a second factor before doing ` +
        `anything else; ${sockets} live ${sockets === 1 ? 'connection was' : 'connections were'} closed.`;
  const nodes =
    query.reached === 'all'
      ? 'Every server was reached.'
      : 'Some servers did not answer in time: the sessions are flagged all the same, and their connections ' +
        'close as soon as those servers hear of it.';
  return { summary, nodes };
}

function count(value: unknown): number | null {
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

/**
 * The socket.io contract of the gateway, shared by the server and the client SDK (`src/client/`): the
 * events the server sends, and the messages a refused connection carries. Event names are stable
 * strings, never derived from a class name.
 */
export const STEP_UP_REQUIRED_EVENT = 'stepguard:step_up_required';
export const SESSION_REVOKED_EVENT = 'stepguard:session_revoked';

/**
 * The `reason` of a `stepguard:session_revoked` sent to sockets still on a token the session no longer
 * has (a step-up or a raise to aal 2 replaced it): the client that holds the new token reconnects with
 * it; any other holder of the old one is signed out.
 */
export const TOKEN_REPLACED = 'token_replaced';

export interface ForcedDisconnect {
  reason: string;
}

export interface ServerToClientEvents {
  /** Sent just before the server disconnects the socket: verify a factor, then connect again. */
  [STEP_UP_REQUIRED_EVENT]: (payload: ForcedDisconnect) => void;
  /** Sent just before the server disconnects the socket of a session that was revoked or expired: sign in again. */
  [SESSION_REVOKED_EVENT]: (payload: ForcedDisconnect) => void;
}

/**
 * The one message a client may send: the gateway acknowledges it, empty, so a client (or a test) learns
 * that the server still holds its connection. Only an admitted socket can send it, and one the server has
 * closed gets the disconnect instead of an answer. Apps carry their own events on their own servers.
 */
export const PING_EVENT = 'stepguard:ping';

export interface ClientToServerEvents {
  [PING_EVENT]: (ack: () => void) => void;
}

/**
 * The `message` of a `connect_error`: `unauthorized` (bad, revoked, expired or enrol-only session),
 * `step_up_required` (a pending step-up, the tenant's `connectionPolicy.totpPriorConnection` without a
 * fresh factor check, or a console session whose user the client app would ask for a second factor),
 * `mfa_enrollment_required` (a session opened through the console whose user is past the client app's
 * enrolment deadline: sign in through the client app, which leads to adding a factor), `unavailable` (the
 * server could not check the session: try again later).
 */
export const CONNECT_REFUSALS = ['unauthorized', 'step_up_required', 'mfa_enrollment_required', 'unavailable'] as const;
export type ConnectRefusal = (typeof CONNECT_REFUSALS)[number];

/**
 * The `reason` of a `stepguard:session_revoked` sent to the socket of a console session whose user fell
 * past the client app's enrolment deadline while connected: the session lives on in the console, but not
 * on the live connection (the `mfa_enrollment_required` refusal, for an open socket).
 */
export const ENROLLMENT_REQUIRED = 'mfa_enrollment_required';

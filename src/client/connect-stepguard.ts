import { type PublicKeyCredentialRequestOptionsJSON, startAuthentication } from '@simplewebauthn/browser';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import {
  type ClientToServerEvents,
  type ConnectRefusal,
  SESSION_REVOKED_EVENT,
  type ServerToClientEvents,
  STEP_UP_REQUIRED_EVENT,
  TOKEN_REPLACED,
} from '../live/socket-events.js';
import { problemOf, StepguardError } from './stepguard-error.js';

export type ConnectionState = 'connecting' | 'connected' | 'step_up_required' | 'signed_out' | 'closed';

/** Why the app must ask for a factor: the server closed the socket (`disconnected`) or refused a connection. */
export interface StepUpRequired {
  reason: string;
  source: 'disconnected' | 'refused';
}

export interface StepguardConnectionOptions {
  /** Stepguard's base URL: sockets at `/socket.io`, step-up at `/v1/auth/step-up`. */
  url: string;
  /** The session token from login. */
  token: string;
  onStepUpRequired?: (event: StepUpRequired) => void;
  /**
   * The session was revoked or has expired (or the token was never valid): sign in again. `reason`
   * `mfa_enrollment_required`: the session was opened through the console and its user is past the
   * client app's deadline to add a factor; signing in through the client app (its key) leads to that.
   */
  onSignedOut?: (event: { reason: string }) => void;
  onStateChange?: (state: ConnectionState) => void;
  /**
   * A step-up gave the session a new token (the old one no longer works anywhere): store it where the
   * app keeps its token. The connection already uses it.
   */
  onTokenChanged?: (token: string) => void;
  /** Passed to socket.io-client (`transports`, `reconnectionDelay`, …). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
  fetch?: typeof fetch;
  /**
   * Runs the browser's passkey prompt for `stepUpWithPasskey()`; @simplewebauthn/browser's
   * `startAuthentication` unless given (a native app's own WebAuthn bridge, a test's authenticator).
   */
  startAuthentication?: (input: { optionsJSON: PublicKeyCredentialRequestOptionsJSON }) => Promise<unknown>;
}

export type StepUpMethod = 'totp' | 'email' | 'backup_code';

export interface StepguardConnection {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly state: ConnectionState;
  /** The session token in use (replaced by each successful `stepUp`). */
  readonly token: string;
  /** Resolves once connected; rejects with a StepguardError (`step_up_required`, `unauthorized`, …) if refused. */
  connected(): Promise<void>;
  /**
   * Verifies a factor for this session (`POST /v1/auth/step-up`), takes the new token it answers with
   * (`onTokenChanged`), then connects again with it. Resolves to the new token.
   */
  stepUp(code: string, method?: StepUpMethod): Promise<string>;
  /**
   * The same with a passkey: asks for a challenge (`POST /v1/auth/step-up/webauthn`), lets the device
   * unlock the passkey (fingerprint, face or PIN), and sends the assertion. What a tenant's biometric
   * connection policy asks for. Resolves to the new token.
   */
  stepUpWithPasskey(): Promise<string>;
  close(): void;
}

/** How long to wait before trying again when the server could not check the session (`unavailable`). */
const RETRY_UNAVAILABLE_MS = 2_000;

/**
 * A socket.io connection to Stepguard's gateway, for browsers and Node: it turns the server's forced
 * disconnects and refusals into typed events, and reconnects after a successful `stepUp(code)`.
 */
export function connectStepguard(options: StepguardConnectionOptions): StepguardConnection {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const passkeyPrompt = options.startAuthentication ?? startAuthentication;
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(base, {
    path: '/socket.io',
    // WebSocket only by default: any api node can take the connection, with no sticky load balancing
    // (long-polling needs every request of a connection on the node that opened it).
    transports: ['websocket'],
    ...options.socketOptions,
    auth: { token: options.token },
  });
  let token = options.token;
  let stepUps = 0;
  let state: ConnectionState = 'connecting';
  let announced: { kind: 'step_up' | 'revoked'; reason: string } | null = null;
  let lastRefusal: StepguardError | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    options.onStateChange?.(next);
  };

  socket.on(STEP_UP_REQUIRED_EVENT, ({ reason }) => (announced = { kind: 'step_up', reason }));
  socket.on(SESSION_REVOKED_EVENT, ({ reason }) => (announced = { kind: 'revoked', reason }));
  socket.on('connect', () => {
    lastRefusal = null;
    setState('connected');
  });
  socket.on('disconnect', (why) => {
    if (state === 'closed') return;
    const told = announced;
    announced = null;
    if (told?.kind === 'step_up') {
      setState('step_up_required');
      options.onStepUpRequired?.({ reason: told.reason, source: 'disconnected' });
    } else if (told?.kind === 'revoked' && told.reason === TOKEN_REPLACED && stepUps > 0) {
      // Our own step-up replaced the token: stepUp() reconnects with the new one.
      setState('connecting');
    } else if (told?.kind === 'revoked') {
      setState('signed_out');
      options.onSignedOut?.({ reason: told.reason });
    } else if (why === 'io server disconnect') {
      setState('signed_out');
      options.onSignedOut?.({ reason: 'disconnected' });
    } else {
      setState('connecting'); // a transport drop: socket.io reconnects on its own
    }
  });
  socket.on('connect_error', (error) => {
    if (state === 'closed') return;
    // Refusals by the server come back with their code; anything else is the network, retried by socket.io.
    if (socket.active) return;
    const code = error.message as ConnectRefusal;
    lastRefusal = new StepguardError(code, `connection refused: ${code}`);
    if (code === 'step_up_required') {
      setState('step_up_required');
      options.onStepUpRequired?.({ reason: code, source: 'refused' });
    } else if (code === 'unavailable') {
      setState('connecting');
      retry = setTimeout(() => socket.connect(), RETRY_UNAVAILABLE_MS);
    } else {
      // `unauthorized` and `mfa_enrollment_required`: this session will not connect again.
      setState('signed_out');
      options.onSignedOut?.({ reason: code });
    }
  });

  const connected = () =>
    new Promise<void>((resolve, reject) => {
      if (socket.connected) return resolve();
      if (lastRefusal && lastRefusal.code !== 'unavailable') return reject(lastRefusal);
      const onConnect = () => {
        socket.off('connect_error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        if (socket.active) return;
        socket.off('connect', onConnect);
        socket.off('connect_error', onError);
        reject(new StepguardError(error.message, `connection refused: ${error.message}`));
      };
      socket.once('connect', onConnect);
      socket.on('connect_error', onError);
    });

  return {
    socket,
    get state() {
      return state;
    },
    get token() {
      return token;
    },
    connected,
    stepUp: (code, method = 'totp') => steppedUp(async () => ({ method, code })),
    stepUpWithPasskey: () =>
      steppedUp(async () => {
        const { options: optionsJSON } = await post<{ options: PublicKeyCredentialRequestOptionsJSON }>(
          '/v1/auth/step-up/webauthn',
          {},
        );
        return { method: 'webauthn', credential: await passkeyPrompt({ optionsJSON }) };
      }),
    close() {
      clearTimeout(retry);
      setState('closed');
      socket.disconnect();
    },
  };

  async function post<T>(path: string, body: unknown): Promise<T> {
    const response = await doFetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await problemOf(response);
    return (await response.json()) as T;
  }

  /** Sends the step-up the answer proves, takes the new token, and connects again with it. */
  async function steppedUp(answer: () => Promise<unknown>): Promise<string> {
    stepUps++;
    try {
      token = (await post<{ token: string }>('/v1/auth/step-up', await answer())).token;
      socket.auth = { token };
      options.onTokenChanged?.(token);
      // A socket still on the old token is closed by the server: reconnect on the new one now.
      if (socket.connected) socket.disconnect();
      lastRefusal = null;
      setState('connecting');
      socket.connect();
      await connected();
      return token;
    } finally {
      stepUps--;
    }
  }
}

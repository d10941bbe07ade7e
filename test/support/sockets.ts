import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import {
  connectStepguard,
  type StepguardConnection,
  type StepguardConnectionOptions,
  type StepUpRequired,
} from '../../src/client/index.js';
import { PING_EVENT } from '../../src/live/socket-events.js';

const SOCKET_OPTIONS: Partial<ManagerOptions & SocketOptions> = {
  transports: ['websocket'],
  reconnection: false,
  forceNew: true,
};

/** Sockets and SDK connections a test opened; `closeAll()` in afterEach/afterAll. */
export class SocketPool {
  private readonly open: { disconnect(): unknown }[] = [];

  /**
   * A plain socket.io client; resolves with it once connected, or rejects with the `connect_error` message.
   * `headers` go on the WebSocket handshake (a page's Cookie and Origin).
   */
  async connect(baseUrl: string, token: unknown, headers?: Record<string, string>): Promise<Socket> {
    const socket = io(baseUrl, { ...SOCKET_OPTIONS, auth: { token }, ...(headers ? { extraHeaders: headers } : {}) });
    this.open.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(new Error(error.message)));
    });
    return socket;
  }

  /** Resolves with the refusal message of a connection attempt (fails the test if it connects). */
  async refusal(baseUrl: string, token: unknown, headers?: Record<string, string>): Promise<string> {
    try {
      await this.connect(baseUrl, token, headers);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the connection was accepted');
  }

  /** The SDK, recording every step-up and sign-out it reports. */
  sdk(baseUrl: string, token: string, more: Partial<StepguardConnectionOptions> = {}) {
    const stepUps: StepUpRequired[] = [];
    const signOuts: { reason: string }[] = [];
    const connection: StepguardConnection = connectStepguard({
      url: baseUrl,
      token,
      socketOptions: SOCKET_OPTIONS,
      onStepUpRequired: (e) => stepUps.push(e),
      onSignedOut: (e) => signOuts.push(e),
      ...more,
    });
    this.open.push({ disconnect: () => connection.close() });
    return { connection, stepUps, signOuts };
  }

  closeAll(): void {
    for (const socket of this.open.splice(0)) socket.disconnect();
  }
}

export interface ForcedDisconnect {
  /** The `stepguard:*` event the server sent before closing, with its payload. */
  event: string;
  payload: unknown;
  reason: string;
}

/** Resolves when the server closes the socket, with what it said first. */
export function nextDisconnect(socket: Socket): Promise<ForcedDisconnect> {
  return new Promise((resolve) => {
    let said: { event: string; payload: unknown } = { event: '(none)', payload: undefined };
    socket.onAny((event: string, payload: unknown) => (said = { event, payload }));
    socket.once('disconnect', (reason) => resolve({ ...said, reason }));
  });
}

/**
 * Whether the server still holds the connection: true once the gateway has acknowledged a ping sent now
 * (a round trip, so whatever the server did to this socket before answering has reached the client);
 * false if the socket is closed, or closes before the answer. Throws if neither happens in time.
 */
export async function stillConnected(socket: Socket, timeoutMs = 10_000): Promise<boolean> {
  if (!socket.connected) return false;
  // An ack pending at a disconnect fails with an error, as does one that times out: the socket's state
  // then tells which.
  const answered = await socket
    .timeout(timeoutMs)
    .emitWithAck(PING_EVENT)
    .then(
      () => true,
      () => false,
    );
  if (answered) return true;
  if (!socket.connected) return false;
  throw new Error(`the server neither answered a ping nor closed the socket within ${timeoutMs} ms`);
}

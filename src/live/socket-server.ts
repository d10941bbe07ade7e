import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './socket-events.js';
import type { InterServerEvents } from './socket-kick.js';

/** What the gateway keeps on each socket: whose it is, and when its handshake check started. */
export interface SocketData {
  tenantId: string;
  userId: string;
  sessionId: string;
  /** The session's token fingerprint at the handshake: a socket on a token since replaced is closed. */
  tokenFingerprint: string;
  /** `performance.now()` just before the session was read (see RecentKicks). */
  checkedAt: number;
}

export type GatewayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type GatewaySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

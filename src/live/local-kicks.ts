import { RecentKicks } from './recent-kicks.js';
import { sessionRoom } from './rooms.js';
import { eventFor, type KickCause, type KickReport, type SocketKick } from './socket-kick.js';
import type { GatewayServer, GatewaySocket } from './socket-server.js';

/** Tells the socket why, then closes it (the client sees `io server disconnect` and does not reconnect on its own). */
export function kickSocket(socket: GatewaySocket, cause: KickCause, reason: string): void {
  socket.emit(eventFor(cause), { reason });
  socket.disconnect(true);
}

/** Closes this node's sockets of the kicked sessions; remembers the kick for sockets still in their handshake. */
export function kickLocalSockets(io: GatewayServer, recent: RecentKicks, kick: SocketKick): KickReport {
  const report: KickReport = {};
  const nsp = io.of('/');
  for (const [sessionId, reason] of Object.entries(kick.reasons)) {
    const keep = kick.keep?.[sessionId];
    recent.note(sessionId, kick.cause, reason, keep);
    const members = nsp.adapter.rooms.get(sessionRoom(sessionId));
    if (!members) continue;
    let closed = 0;
    for (const socketId of [...members]) {
      const socket = nsp.sockets.get(socketId);
      if (!socket || (keep !== undefined && socket.data.tokenFingerprint === keep)) continue;
      kickSocket(socket, kick.cause, reason);
      closed++;
    }
    if (closed) report[sessionId] = closed;
  }
  return report;
}

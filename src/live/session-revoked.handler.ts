import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { SessionRevokedEvent } from '../sessions/index.js';
import { LiveConnections } from './live-connections.js';
import { kickOf } from './socket-kick.js';

/**
 * However a session ends (logout, the user, an admin, a password change, grace enforcement), its
 * sockets close with it. The revocation is already committed; a node that misses this kick finds the
 * session revoked at its next re-check, and no handshake admits it.
 */
@EventsHandler(SessionRevokedEvent)
export class SessionRevokedHandler implements IEventHandler<SessionRevokedEvent> {
  constructor(private readonly connections: LiveConnections) {}

  async handle(event: SessionRevokedEvent): Promise<void> {
    await this.connections.kick(kickOf('session_revoked', [event.sessionId], event.reason));
  }
}

import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { SessionTokenRotatedEvent } from '../sessions/index.js';
import { LiveConnections } from './live-connections.js';
import { tokenReplacedKick } from './socket-kick.js';

/**
 * A session's token was replaced (a step-up, a raise to aal 2): its sockets still on the old token close,
 * so whoever else held that token loses its connection too. Sockets already on the new token stay.
 * A node that misses this kick finds the old fingerprint at its next re-check.
 */
@EventsHandler(SessionTokenRotatedEvent)
export class TokenReplacedHandler implements IEventHandler<SessionTokenRotatedEvent> {
  constructor(private readonly connections: LiveConnections) {}

  async handle(event: SessionTokenRotatedEvent): Promise<void> {
    await this.connections.kick(tokenReplacedKick(event.sessionId, event.tokenFingerprint));
  }
}

import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';

export type DisconnectTarget = { userId: string } | { sessionId: string };

export interface DisconnectOutcome {
  sessionsAffected: number;
  socketsDisconnected: number;
  /** False when some node did not answer in time: the flag holds, and its sockets are closed when it hears. */
  allNodesReached: boolean;
}

/** Flags a user's live sessions (or one session) step-up-required and closes their sockets on every node. */
export class DisconnectCommand extends Command<DisconnectOutcome> {
  constructor(
    readonly tenantId: string,
    readonly target: DisconnectTarget,
    readonly reason: string,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

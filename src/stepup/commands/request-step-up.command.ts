import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';

export type StepUpTarget = { userId: string } | { sessionId: string };

export interface StepUpRequestOutcome {
  sessionsAffected: number;
  socketsDisconnected: number;
  /** False when some node did not answer in time: the flag holds, and its sockets are closed when it hears. */
  allNodesReached: boolean;
}

/** Flags a user's live sessions (or one session) step-up-required and closes their sockets on every node. */
export class RequestStepUpCommand extends Command<StepUpRequestOutcome> {
  constructor(
    readonly tenantId: string,
    readonly target: StepUpTarget,
    readonly reason: string,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}

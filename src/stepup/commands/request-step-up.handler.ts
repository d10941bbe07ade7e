import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StepUpLanes } from '../step-up-lanes.js';
import { RequestStepUpCommand, type StepUpRequestOutcome } from './request-step-up.command.js';

/**
 * The flag is committed (with its audit entry) before any socket is touched: a node that misses the
 * kick, or a client that reconnects at once, still meets the flag in PostgreSQL at its handshake.
 * Requests of one tenant share their commits under load (StepUpLanes).
 */
@CommandHandler(RequestStepUpCommand)
export class RequestStepUpHandler implements ICommandHandler<RequestStepUpCommand> {
  constructor(private readonly lanes: StepUpLanes) {}

  execute({ tenantId, target, reason, actor, request }: RequestStepUpCommand): Promise<StepUpRequestOutcome> {
    return this.lanes.submit({ tenantId, target, reason, actor, request });
  }
}

import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DisconnectLanes } from '../disconnect-lanes.js';
import { DisconnectCommand, type DisconnectOutcome } from './disconnect.command.js';

/**
 * The flag is committed (with its audit entry) before any socket is touched: a node that misses the
 * kick, or a client that reconnects at once, still meets the flag in PostgreSQL at its handshake.
 * Requests of one tenant share their commits under load (DisconnectLanes).
 */
@CommandHandler(DisconnectCommand)
export class DisconnectHandler implements ICommandHandler<DisconnectCommand> {
  constructor(private readonly lanes: DisconnectLanes) {}

  execute({ tenantId, target, reason, actor, request }: DisconnectCommand): Promise<DisconnectOutcome> {
    return this.lanes.submit({ tenantId, target, reason, actor, request });
  }
}

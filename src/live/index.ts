export { LiveModule } from './live.module.js';
export { SocketGateway } from './socket-gateway.js';
export { STEP_UP_REQUIRED_EVENT } from './socket-events.js';
export { DisconnectCommand, type DisconnectOutcome } from './commands/disconnect.command.js';
export { disconnectSchema } from './dto/disconnect.schema.js';

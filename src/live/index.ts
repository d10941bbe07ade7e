export { LiveModule } from './live.module.js';
export { SocketGateway } from './socket-gateway.js';
export { STEP_UP_REQUIRED_EVENT } from './socket-events.js';

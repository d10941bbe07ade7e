export { LiveModule } from './live.module.js';
export { SocketGateway } from './socket-gateway.js';

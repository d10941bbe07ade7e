import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/index.js';
import { AuditModule } from '../audit/index.js';
import { IdentityModule } from '../identity/index.js';
import { PolicyModule } from '../policy/index.js';
import { SessionsModule } from '../sessions/index.js';
import { DisconnectHandler } from './commands/disconnect.handler.js';
import { ConnectionAdmission } from './connection-admission.js';
import { DisconnectController } from './disconnect.controller.js';
import { LiveConnections } from './live-connections.js';
import { LiveNodes } from './live-nodes.js';
import { RecentKicks } from './recent-kicks.js';
import { SessionRevokedHandler } from './session-revoked.handler.js';
import { TokenReplacedHandler } from './token-replaced.handler.js';
import { SocketGateway } from './socket-gateway.js';
import { SocketRecheck } from './socket-recheck.js';
import { DisconnectLanes } from './disconnect-lanes.js';
import { DisconnectRound } from './disconnect-round.js';

/** The socket.io gateway (api processes only) and the Disconnect API. */
@Module({
  imports: [AuditModule, IdentityModule, SessionsModule, PolicyModule, AuthModule],
  controllers: [DisconnectController],
  providers: [
    ConnectionAdmission,
    LiveConnections,
    LiveNodes,
    RecentKicks,
    SocketRecheck,
    SocketGateway,
    DisconnectRound,
    DisconnectLanes,
    DisconnectHandler,
    SessionRevokedHandler,
    TokenReplacedHandler,
  ],
  exports: [SocketGateway],
})
export class LiveModule {}

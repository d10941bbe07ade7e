import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { PolicyStoreModule } from '../policy/policy-store.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { RequestStepUpHandler } from './commands/request-step-up.handler.js';
import { ConnectionAdmission } from './connection-admission.js';
import { DisconnectController } from './disconnect.controller.js';
import { LiveConnections } from './live-connections.js';
import { RecentKicks } from './recent-kicks.js';
import { SessionRevokedHandler } from './session-revoked.handler.js';
import { TokenReplacedHandler } from './token-replaced.handler.js';
import { SocketGateway } from './socket-gateway.js';
import { SocketRecheck } from './socket-recheck.js';
import { StepUpLanes } from './step-up-lanes.js';
import { StepUpRound } from './step-up-round.js';

/** The socket.io gateway (api processes only) and the Disconnect API. */
@Module({
  imports: [AuditModule, IdentityModule, SessionsModule, PolicyStoreModule, AuthModule],
  controllers: [DisconnectController],
  providers: [
    ConnectionAdmission,
    LiveConnections,
    RecentKicks,
    SocketRecheck,
    SocketGateway,
    StepUpRound,
    StepUpLanes,
    RequestStepUpHandler,
    SessionRevokedHandler,
    TokenReplacedHandler,
  ],
  exports: [SocketGateway],
})
export class StepupModule {}

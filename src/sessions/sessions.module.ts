import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { AdminSessionsController } from './admin-sessions.controller.js';
import { DeleteExpiredSessionsHandler } from './commands/delete-expired-sessions.handler.js';
import { RevokeOtherSessionsHandler } from './commands/revoke-other-sessions.handler.js';
import { RevokeSessionHandler } from './commands/revoke-session.handler.js';
import { MySessionsController } from './my-sessions.controller.js';
import { ListSessionsHandler } from './queries/list-sessions.handler.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [AuditModule, IdentityModule],
  controllers: [MySessionsController, AdminSessionsController],
  providers: [
    SessionsService,
    RevokeSessionHandler,
    RevokeOtherSessionsHandler,
    DeleteExpiredSessionsHandler,
    ListSessionsHandler,
  ],
  exports: [SessionsService],
})
export class SessionsModule {}

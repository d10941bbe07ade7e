import { Module } from '@nestjs/common';
import { AppRemovedHandler } from './app-removed.handler.js';
import { AuditModule } from '../audit/index.js';
import { IdentityModule } from '../identity/index.js';
import { AdminSessionsController } from './admin-sessions.controller.js';
import { DeleteExpiredSessionsHandler } from './commands/delete-expired-sessions.handler.js';
import { ForgetRememberedDevicesHandler } from './commands/forget-remembered-devices.handler.js';
import { RevokeOtherSessionsHandler } from './commands/revoke-other-sessions.handler.js';
import { RevokeSessionHandler } from './commands/revoke-session.handler.js';
import { MySessionsController } from './my-sessions.controller.js';
import { ListSessionsHandler } from './queries/list-sessions.handler.js';
import { RememberedDevices } from './remembered-devices/remembered-devices.js';
import { RememberedDevicesController } from './remembered-devices.controller.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [AuditModule, IdentityModule],
  controllers: [MySessionsController, AdminSessionsController, RememberedDevicesController],
  providers: [
    SessionsService,
    RememberedDevices,
    RevokeSessionHandler,
    RevokeOtherSessionsHandler,
    DeleteExpiredSessionsHandler,
    ForgetRememberedDevicesHandler,
    ListSessionsHandler,
    AppRemovedHandler,
  ],
  exports: [SessionsService, RememberedDevices],
})
export class SessionsModule {}

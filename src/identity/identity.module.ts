import { PasswordCheckThrottle } from './password-check-throttle.js';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { ApiKeyList } from './api-key-list.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AppKeys } from './apps/app-keys.js';
import { AppsController } from './apps/apps.controller.js';
import { RegisterAppHandler } from './apps/commands/register-app.handler.js';
import { RemoveAppHandler } from './apps/commands/remove-app.handler.js';
import { ChangeUserRolesHandler } from './commands/change-user-roles.handler.js';
import { CreateApiKeyHandler } from './commands/create-api-key.handler.js';
import { CreateTenantHandler } from './commands/create-tenant.handler.js';
import { CreateUserHandler } from './commands/create-user.handler.js';
import { RevokeApiKeyHandler } from './commands/revoke-api-key.handler.js';
import { TenantsController } from './tenants.controller.js';
import { UserAccounts } from './user-accounts.js';
import { UsersAdminController } from './users-admin.controller.js';
import { UsersDirectory } from './users-directory.js';
import { SinkAlertsModule } from './tenant-admin-alerts.js';

@Module({
  imports: [AuditModule, SinkAlertsModule],
  controllers: [TenantsController, UsersAdminController, ApiKeysController, AppsController],
  providers: [
    CreateTenantHandler,
    CreateUserHandler,
    ChangeUserRolesHandler,
    CreateApiKeyHandler,
    RevokeApiKeyHandler,
    UserAccounts,
    UsersDirectory,
    ApiKeysService,
    ApiKeyList,
    RegisterAppHandler,
    RemoveAppHandler,
    AppKeys,
    PasswordCheckThrottle,
  ],
  exports: [UsersDirectory, ApiKeysService, ApiKeyList, AppKeys, PasswordCheckThrottle],
})
export class IdentityModule {}

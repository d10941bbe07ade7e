export { ApiKeysService } from './api-keys.service.js';
export { APP_KEY_HEADER, AppKeys } from './apps/app-keys.js';
export { APPS, type App } from './apps/app-kinds.js';
export type { RegisteredApp } from './apps/app.entity.js';
export { AppRemovedEvent } from './apps/app.events.js';
export { CreateApiKeyCommand } from './commands/create-api-key.command.js';
export { CreateTenantCommand } from './commands/create-tenant.command.js';
export { CreateUserCommand } from './commands/create-user.command.js';
export {
  changePasswordSchema,
  createApiKeySchema,
  createTenantSchema,
  createUserSchema,
  emailSchema,
  pageQuerySchema,
  slugSchema,
  uuidSchema,
} from './dto/identity.schemas.js';
export { PasswordChangedEvent, UserCreatedEvent, UserRolesChangedEvent } from './events/identity.events.js';
export { IDENTITY_ENTITIES } from './identity.entities.js';
export { passwordReused, tenantNotFound, userNotFound, wrongCurrentPassword } from './identity.errors.js';
export { IdentityModule } from './identity.module.js';
export { PasswordCheckThrottle } from './password-check-throttle.js';
export { type PresenceProof, ReauthGate } from './reauth-gate.js';
export { assertRecentlyAuthenticated } from './recent-auth.js';
export { Tenant } from './tenant.entity.js';
export { User } from './user.entity.js';
export { UsersDirectory } from './users-directory.js';
export { lockTenant, recordMfaPolicyVersion } from './tenant-lock.js';
export { ApiKeyList, type ApiKeyView } from './api-key-list.js';
export { RevokeApiKeyCommand } from './commands/revoke-api-key.command.js';

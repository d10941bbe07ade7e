export { AccessRefusals } from './access-refusals.js';
export { AUTH_ENTITIES } from './auth.entities.js';
export { AuthModule } from './auth.module.js';
export { DeliverMfaLockedNoticeCommand } from './commands/deliver-mfa-locked-notice.command.js';
export { DeliverSecurityNoticeCommand } from './commands/deliver-security-notice.command.js';
export { PurgeSpentMfaRecordsCommand } from './commands/purge-spent-mfa-records.command.js';
export { AccessDeniedEvent } from './events/access-denied.event.js';
export { LoginFailedEvent, LoginSucceededEvent } from './events/login.events.js';

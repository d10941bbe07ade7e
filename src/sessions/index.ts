export { DeleteExpiredSessionsCommand } from './commands/delete-expired-sessions.command.js';
export { RevokeSessionCommand } from './commands/revoke-session.command.js';
export { deviceInfoOf } from './device-info.js';
export { SessionRevokedEvent, SessionTokenRotatedEvent } from './events/session.events.js';
export { RememberedDevice } from './remembered-devices/remembered-device.entity.js';
export { RememberedDevicesForgottenEvent } from './remembered-devices/remembered-device.events.js';
export {
  deleteRememberedDevices,
  DEVICE_TOKEN_PREFIX,
  RememberedDevices,
} from './remembered-devices/remembered-devices.js';
export type { SessionPrincipal } from './session-principal.js';
export { type AuthMethod, Session } from './session.entity.js';
export { SESSIONS_ENTITIES } from './sessions.entities.js';
export { SessionsModule } from './sessions.module.js';
export { SessionsService } from './sessions.service.js';

export { DeliverGraceNoticeCommand } from './commands/deliver-grace-notice.command.js';
export { EnforceGraceDeadlineCommand } from './commands/enforce-grace-deadline.command.js';
export { SweepGraceAfterPolicyChangeCommand } from './commands/sweep-grace-after-policy-change.command.js';
export { SweepGracePeriodsCommand } from './commands/sweep-grace-periods.command.js';
export { COMPLIANCE_ENTITIES } from './compliance.entities.js';
export { ComplianceModule } from './compliance.module.js';
export { AllDevicesForgottenEvent } from './events/all-devices-forgotten.event.js';
export { MfaStatusReader, type UserMfaStatus } from './mfa-status.js';
export { MFA_OF_USER } from './standings/mfa-of-user.sql.js';

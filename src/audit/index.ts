export { AuditEvent } from './audit-event.entity.js';
export { type AuditableEvent, type AuditEntry, AuditLog, type ChainedRow, PLATFORM_CHAIN } from './audit-log.js';
export { AuditVerifier } from './audit-verifier.js';
export { AUDIT_ENTITIES } from './audit.entities.js';
export { AuditModule } from './audit.module.js';
export { AuditedAttempt } from './audited.js';
export { AUDIT_FORMATS, type AuditFormat, renderJson, renderLine, streamItemId } from './formats/index.js';
export { SecurityNotices } from './security-notices.js';

export { AuditEvent } from './audit-event.entity.js';
export { type AuditableEvent, type AuditEntry, AuditLog, type ChainedRow, PLATFORM_CHAIN } from './audit-log.js';
export { type AuditLogReport, AuditVerifier, type VerifyWithCheckpointsOptions } from './audit-verifier.js';
export { AUDIT_ENTITIES } from './audit.entities.js';
export { AuditModule } from './audit.module.js';
export { AuditedAttempt } from './audited.js';
export { cadenceMs } from './checkpoints/cadence.js';
export type { CheckpointFinding, CheckpointProblem } from './checkpoints/checkpoint-findings.js';
export { AuditCheckpointReader, type CheckpointRange } from './checkpoints/checkpoint-reader.js';
export {
  type CheckpointScope,
  type TakenCheckpoints,
  TakeAuditCheckpointsCommand,
} from './checkpoints/commands/take-audit-checkpoints.command.js';
export { auditCheckpointViewSchema } from './checkpoints/dto/audit-checkpoints.schema.js';
export { AuditCheckpointsTakenEvent } from './checkpoints/events/audit-checkpoints-taken.event.js';
export { SecurityNotices } from './security-notices.js';
export type { AuditCheckpointView, StreamItem } from './stream/stream-item.js';

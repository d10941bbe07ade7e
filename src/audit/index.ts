export { AuditEvent } from './audit-event.entity.js';
export { type AuditableEvent, type AuditEntry, AuditLog, type ChainedRow, PLATFORM_CHAIN } from './audit-log.js';
export { type AuditLogReport, AuditVerifier, type VerifyWithCheckpointsOptions } from './audit-verifier.js';
export { AUDIT_ENTITIES } from './audit.entities.js';
export { AuditModule } from './audit.module.js';
export { AuditedAttempt } from './audited.js';
export { AUDIT_FORMATS, type AuditFormat, renderJson, renderLine, streamItemId } from './formats/index.js';
export { SecurityNotices } from './security-notices.js';
export * from './stream/audit-sink.events.js';
export { AuditBatchDeliveredEvent, AuditBatchFailedEvent } from './stream/delivery.events.js';
export { DeliverChain, type DeliveryRun } from './stream/deliver-chain.js';
export { AuditStreamHealth, REPORTED_SINK_STATES, type SinkHealth } from './stream/audit-stream-health.js';
export { AuditSinkViews } from './stream/audit-sink-views.js';
export {
  CreateAuditSinkCommand,
  DeleteAuditSinkCommand,
  RotateAuditSinkSecretCommand,
  SetAuditSinkStateCommand,
  type SinkWithSecret,
  TestAuditSinkCommand,
} from './stream/commands/audit-sink.commands.js';
export {
  type ReencryptedSinkBatch,
  ReencryptAuditSinkSecretsCommand,
} from './stream/commands/reencrypt-audit-sink-secrets.command.js';
export {
  type CreateAuditSinkInput,
  createAuditSinkSchema,
  rotateSecretSchema,
} from './stream/dto/audit-sink.schemas.js';
export { FORMATS_OF, SINK_KINDS, type SinkKind } from './stream/sink-settings.js';
export type { Delivery } from './stream/sink-transport.js';
export { SinkAlerts } from './stream/sink-alerts.js';
export { StreamWake } from './stream/stream-wake.js';
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
export type { AuditCheckpointView, StreamItem } from './stream/stream-item.js';
export {
  heldBySink,
  type PurgedAuditLog,
  PurgeAuditLogCommand,
  type PurgeScope,
} from './retention/commands/purge-audit-log.command.js';
export { AuditRetentionPurgedEvent } from './retention/events/audit-retention-purged.event.js';
export type { PurgeHorizon } from './retention/purge-horizon.js';
export { type UserActivityEntry, userActivityOf, type UserActivityPage } from './queries/user-activity.js';
export {
  type AuditEventFilter,
  type AuditEventsPage,
  type AuditEventView,
  ListAuditEventsQuery,
} from './queries/list-audit-events.query.js';
export { ACTION_MAPPINGS, mappingOf } from './formats/index.js';

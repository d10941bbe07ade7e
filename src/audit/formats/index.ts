export { ACTION_MAPPINGS, type ActionMapping, mappingOf, type Severity } from './action-mappings.js';
export { AUDIT_FORMATS, type AuditFormat, type JsonAuditFormat, renderJson, renderLine } from './audit-format.js';
export { renderCef } from './cef.js';
export { ECS_VERSION, renderEcs } from './ecs.js';
export { type NativeItem, parseNative, renderNative } from './native.js';
export { OCSF_VERSION } from './ocsf-classes.js';
export { renderOcsf } from './ocsf.js';
export { CHECKPOINT_ACTION, checkpointId, streamItemId } from './stream-item-facts.js';

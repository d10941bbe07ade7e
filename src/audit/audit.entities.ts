import { AuditChainHead, AuditEvent } from './audit-event.entity.js';
import { AuditSink } from './stream/audit-sink.entity.js';
import { AuditCheckpoint } from './checkpoints/audit-checkpoint.entity.js';

/** The tables this slice owns, for the ORM (the composition root lists every slice's). */
export const AUDIT_ENTITIES = [AuditEvent, AuditChainHead, AuditCheckpoint, AuditSink];

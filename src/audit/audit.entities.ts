import { AuditChainHead, AuditEvent } from './audit-event.entity.js';
import { AuditSink } from './stream/audit-sink.entity.js';

/** The tables this slice owns, for the ORM (the composition root lists every slice's). */
export const AUDIT_ENTITIES = [AuditEvent, AuditChainHead, AuditSink];

import type { AuditEventView } from '../queries/list-audit-events.query.js';
import type { AuditCheckpointView, StreamItem } from '../stream/stream-item.js';

/** The pseudo-action of a checkpoint where a format wants one (ECS `event.action`, CEF signature id). */
export const CHECKPOINT_ACTION = 'AuditCheckpoint';

/**
 * A checkpoint's id: stable (the same checkpoint always gets it) and unique across chains, as an
 * event's id is, so a receiver de-duplicates both alike.
 */
export function checkpointId(checkpoint: AuditCheckpointView): string {
  return `checkpoint-${checkpoint.tenantId ?? 'platform'}-${checkpoint.number}`;
}

/** The id a receiver de-duplicates an item by: the event's id, or the checkpoint's. */
export function streamItemId(item: StreamItem): string {
  return item.kind === 'event' ? item.event.id : checkpointId(item.checkpoint);
}

/** A checkpoint's own fields as the JSON formats carry them under Stepguard's name (`stepguard.*`). */
export function checkpointFields(c: AuditCheckpointView) {
  return {
    type: 'audit_checkpoint',
    tenant_id: c.tenantId,
    seq: c.seq,
    number: c.number,
    head_hash: c.headHash,
    time: c.time,
    previous: c.previous,
    key_id: c.keyId,
    signature: c.signature,
  };
}

/** An event's chain and Stepguard fields as the JSON formats carry them under Stepguard's name (`stepguard.*`). */
export function eventFields(e: AuditEventView) {
  return {
    type: 'audit_event',
    tenant_id: e.tenantId,
    seq: e.seq,
    prev_hash: e.prevHash,
    hash: e.hash,
    actor: e.actor,
    target: e.target,
    details: e.details,
  };
}

import type { AuditEventView } from '../queries/list-audit-events.query.js';
import type { AuditCheckpointView, StreamItem } from '../stream/stream-item.js';
import { mappingOf, type Severity, severityOf } from './action-mappings.js';
import { BASE_EVENT, OCSF_VERSION, type OcsfActivity, type OcsfClass } from './ocsf-classes.js';
import { classAttributes } from './ocsf-class-attributes.js';
import { actorOf } from './ocsf-subjects.js';
import { PRODUCT } from './product.js';
import { pruned } from './pruned.js';
import { CHECKPOINT_ACTION, checkpointId, checkpointFields, eventFields } from './stream-item-facts.js';

/**
 * An OCSF OCSF_VERSION event: the class and activity from the action's row (action-mappings.ts), the
 * event id, seq and tenant in `metadata`, and under `unmapped.stepguard` the chain (`prev_hash`, `hash`)
 * and what OCSF has no attribute for (the actor and target as Stepguard records them, the details).
 * With `metadata.uid`, `time_dt`, `src_endpoint.ip` and `http_request.user_agent` that is every member
 * the audit hash covers: docs/audit-formats.md says how to recompute it.
 */
export function renderOcsf(item: StreamItem): Record<string, unknown> {
  return item.kind === 'event' ? ocsfEvent(item.event) : ocsfCheckpoint(item.checkpoint);
}

function ocsfEvent(e: AuditEventView): Record<string, unknown> {
  const mapping = mappingOf(e.action);
  const { class: cls, activity } = mapping.ocsf;
  const status = e.outcome === 'success' ? { status_id: 1, status: 'Success' } : { status_id: 2, status: 'Failure' };
  return pruned({
    ...classification(cls, activity, activity.id === 99 ? mapping.title : activity.caption),
    ...severity(severityOf(mapping, e.outcome)),
    ...occurrence(e.occurredAt),
    message: mapping.title,
    ...status,
    status_code: stringOrUndefined(e.details['code']),
    status_detail: stringOrUndefined(e.details['reason']),
    metadata: metadata({ uid: e.id, sequence: e.seq, tenantId: e.tenantId, eventCode: e.action }),
    actor: actorOf(e.actor),
    ...request(cls, e),
    ...classAttributes(mapping, e),
    unmapped: {
      stepguard: pruned({
        ...eventFields(e),
        ...(cls === BASE_EVENT ? { ip: e.ip, user_agent: e.userAgent } : {}),
      }),
    },
  });
}

/** Where the request came from; the Base Event has no attribute for it (unmapped then). */
function request(cls: OcsfClass<string>, e: AuditEventView) {
  if (cls === BASE_EVENT) return {};
  return {
    src_endpoint: e.ip === null ? undefined : { ip: e.ip },
    http_request: e.userAgent === null ? undefined : { user_agent: e.userAgent },
  };
}

function ocsfCheckpoint(c: AuditCheckpointView): Record<string, unknown> {
  return {
    ...classification(BASE_EVENT, BASE_EVENT.activities.other, 'Audit Checkpoint'),
    ...severity('informational'),
    ...occurrence(c.time),
    message: `Audit checkpoint ${c.number} signed at seq ${c.seq}`,
    metadata: metadata({ uid: checkpointId(c), sequence: c.seq, tenantId: c.tenantId, eventCode: CHECKPOINT_ACTION }),
    unmapped: {
      stepguard: checkpointFields(c),
    },
  };
}

function classification(cls: OcsfClass<string>, activity: OcsfActivity, activityName: string) {
  return {
    category_uid: cls.categoryUid,
    category_name: cls.categoryCaption,
    class_uid: cls.uid,
    class_name: cls.caption,
    activity_id: activity.id,
    activity_name: activityName,
    type_uid: cls.uid * 100 + activity.id,
    type_name: `${cls.caption}: ${activity.caption}`,
  };
}

const SEVERITY_IDS: Readonly<Record<Severity, [number, string]>> = {
  informational: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
};

function severity(level: Severity) {
  const [id, caption] = SEVERITY_IDS[level];
  return { severity_id: id, severity: caption };
}

/** `time` in epoch milliseconds as OCSF requires, `time_dt` (the datetime profile) as Stepguard wrote it. */
function occurrence(iso: string) {
  return { time: Date.parse(iso), time_dt: iso, timezone_offset: 0 };
}

function metadata(m: { uid: string; sequence: number; tenantId: string | null; eventCode: string }) {
  return pruned({
    version: OCSF_VERSION,
    product: { name: PRODUCT.name, vendor_name: PRODUCT.vendor, version: PRODUCT.version },
    profiles: ['datetime'],
    log_name: 'audit',
    uid: m.uid,
    sequence: m.sequence,
    tenant_uid: m.tenantId ?? undefined,
    event_code: m.eventCode,
  });
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

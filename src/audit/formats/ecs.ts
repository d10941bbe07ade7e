import type { AuditEventView } from '../queries/list-audit-events.query.js';
import type { AuditCheckpointView, StreamItem } from '../stream/stream-item.js';
import { mappingOf, severityOf } from './action-mappings.js';
import { CEF_SEVERITY } from './cef-severity.js';
import { actingUserId, emailDetail, stringDetail, subjectUserId } from './event-facts.js';
import { PRODUCT } from './product.js';
import { pruned } from './pruned.js';
import { CHECKPOINT_ACTION, checkpointId, checkpointFields, eventFields } from './stream-item-facts.js';

/** The Elastic Common Schema version the ECS rendering follows (`ecs.version`). */
export const ECS_VERSION = '9.4.0';

const OBSERVER = { vendor: PRODUCT.vendor, product: PRODUCT.name, version: PRODUCT.version };
const EVENT_SOURCE = { dataset: 'stepguard.audit', provider: 'stepguard' };

/**
 * An ECS document: categorisation from the action's row, the tenant as `organization.id`, the seq as
 * `event.sequence`, and a custom field set `stepguard.*` for the chain (`prev_hash`, `hash`) and what
 * ECS has no field for (actor and target as Stepguard records them, the details).
 */
export function renderEcs(item: StreamItem): Record<string, unknown> {
  return item.kind === 'event' ? ecsEvent(item.event) : ecsCheckpoint(item.checkpoint);
}

function ecsEvent(e: AuditEventView): Record<string, unknown> {
  const mapping = mappingOf(e.action);
  const actor = actingUserId(e);
  const subject = subjectUserId(e);
  const email = subject === null ? emailDetail(e) : null;
  return pruned({
    '@timestamp': e.occurredAt,
    message: mapping.title,
    ecs: { version: ECS_VERSION },
    event: pruned({
      kind: 'event',
      category: mapping.ecs.category.length ? mapping.ecs.category : undefined,
      type: mapping.ecs.type.length ? mapping.ecs.type : undefined,
      action: e.action,
      outcome: e.outcome,
      id: e.id,
      sequence: e.seq,
      severity: CEF_SEVERITY[severityOf(mapping, e.outcome)],
      reason: stringDetail(e, 'reason') ?? undefined,
      ...EVENT_SOURCE,
    }),
    organization: e.tenantId === null ? undefined : { id: e.tenantId },
    user: userFields(actor, subject, email),
    source: e.ip === null ? undefined : { ip: e.ip },
    user_agent: e.userAgent === null ? undefined : { original: e.userAgent },
    related: relatedUsers(actor, subject),
    observer: OBSERVER,
    stepguard: eventFields(e),
  });
}

/** `user.id` is who acted; `user.target.id` the user acted on, when that is someone else. */
function userFields(actor: string | null, subject: string | null, email: string | null) {
  const user = pruned({
    id: actor ?? undefined,
    email: email ?? undefined,
    target: subject !== null && subject !== actor ? { id: subject } : undefined,
  });
  return Object.keys(user).length ? user : undefined;
}

function relatedUsers(actor: string | null, subject: string | null) {
  const users = [...new Set([actor, subject].filter((u): u is string => u !== null))];
  return users.length ? { user: users } : undefined;
}

/** A checkpoint describes the log's state at one moment: `event.kind: state`, about a data store. */
function ecsCheckpoint(c: AuditCheckpointView): Record<string, unknown> {
  return pruned({
    '@timestamp': c.time,
    message: `Audit checkpoint ${c.number} signed at seq ${c.seq}`,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'state',
      category: ['database'],
      type: ['info'],
      action: CHECKPOINT_ACTION,
      id: checkpointId(c),
      sequence: c.seq,
      severity: CEF_SEVERITY.informational,
      ...EVENT_SOURCE,
    },
    organization: c.tenantId === null ? undefined : { id: c.tenantId },
    observer: OBSERVER,
    stepguard: checkpointFields(c),
  });
}

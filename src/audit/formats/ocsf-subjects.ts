import type { AuditEventView } from '../queries/list-audit-events.query.js';
import { emailDetail, subjectUserId } from './event-facts.js';

/** OCSF `actor`: who did it. An API key is the client application acting; nobody known, no actor. */
export function actorOf(actor: AuditEventView['actor']): Record<string, unknown> | undefined {
  switch (actor.type) {
    case 'user':
      return actor.id === null ? undefined : { user: { uid: actor.id, type_id: 1, type: 'User' } };
    case 'api_key':
      return actor.id === null ? undefined : { app_uid: actor.id, app_name: 'API key' };
    case 'operator':
      return { user: { name: 'operator', type_id: 2, type: 'Admin' } };
    case 'system':
      return { user: { name: 'system', type_id: 3, type: 'System' } };
    case 'anonymous':
      return undefined;
  }
}

/**
 * OCSF `user`, required by the authentication and account classes: the user the event is about. A
 * refused sign-in of an unknown user is named by the address typed, or `unknown` when none was.
 */
export function userOf(event: AuditEventView): Record<string, unknown> {
  const uid = subjectUserId(event);
  if (uid !== null) return { uid, type_id: 1, type: 'User' };
  const email = emailDetail(event);
  return email === null ? { name: 'unknown', type_id: 0, type: 'Unknown' } : { name: email, email_addr: email };
}

/** Managed entity type ids of the targets that have one; the others are Other (99), named by their type. */
const ENTITY_TYPE_IDS: Readonly<Record<string, [number, string]>> = {
  tenant: [4, 'Organization'],
  mfa_policy: [5, 'Policy'],
};

/**
 * OCSF `entity` of Entity Management: the event's target, or the tenant itself for a tenant-wide
 * change that names no target (the re-encryption of its factor secrets). An organization also fills
 * `org`, a policy `policy` with its version, as the schema asks of those types.
 */
export function entityOf(event: AuditEventView): Record<string, unknown> {
  const target = event.target ?? { type: 'tenant', id: event.tenantId };
  const [typeId, type] = ENTITY_TYPE_IDS[target.type] ?? [99, target.type];
  const named = target.id === null ? { name: target.type } : { uid: target.id };
  const version = event.details['version'];
  const versioned = typeof version === 'number' || typeof version === 'string' ? { version: String(version) } : {};
  return {
    ...named,
    type_id: typeId,
    type,
    ...versioned,
    ...(typeId === 4 ? { org: named } : {}),
    ...(typeId === 5 ? { policy: { ...named, ...versioned } } : {}),
  };
}

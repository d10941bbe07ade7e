import { ACTION_MAPPINGS, type AuditEventView, mappingOf } from '../../audit/index.js';
import { linkTo, type AuditPageQuery } from './audit-filters.js';

/** How many details an entry shows, and how much of each: the rest is in the API's answer. */
const MAX_DETAILS = 24;
const MAX_VALUE = 300;

const ACTOR_KINDS: Record<string, string> = {
  user: 'User',
  api_key: 'API key',
  operator: 'The operator',
  system: 'Stepguard',
  anonymous: 'Someone not signed in',
};

/** Names the page can give an id (users' e-mail addresses), keyed by id. */
export type KnownNames = ReadonlyMap<string, string>;

/** The action filter's choices: every action the audit log records, by its title. */
export function actionChoices(selected: string | undefined) {
  const choices = Object.entries(ACTION_MAPPINGS)
    .map(([id, m]) => ({ id, title: m.title, selected: id === selected }))
    .sort((a, b) => a.title.localeCompare(b.title));
  // An action no longer (or not yet) mapped can still be filtered on from a link.
  if (selected && !Object.hasOwn(ACTION_MAPPINGS, selected))
    choices.unshift({ id: selected, title: selected, selected: true });
  return choices;
}

/** An audit event as the page shows it: words for the action, actor and target, and details as a list. */
export function entryView(e: AuditEventView, q: AuditPageQuery, names: KnownNames, viewerId: string) {
  const actorName = e.actor.id ? names.get(e.actor.id) : undefined;
  const target = e.target;
  return {
    seq: e.seq,
    occurredAt: e.occurredAt,
    action: e.action,
    title: mappingOf(e.action).title,
    failed: e.outcome === 'failure',
    actor: {
      kind: ACTOR_KINDS[e.actor.type] ?? e.actor.type,
      name: actorName ?? (e.actor.id ? shortId(e.actor.id) : null),
      id: e.actor.id,
      you: e.actor.type === 'user' && e.actor.id === viewerId,
      filter: e.actor.id ? linkTo(q, { actor: e.actor.id, after: undefined, back: [] }) : null,
    },
    target: target
      ? {
          kind: target.type.replaceAll('_', ' '),
          name: target.id ? (names.get(target.id) ?? shortId(target.id)) : null,
          id: target.id,
          filter: linkTo(q, { targetType: target.type, targetId: target.id ?? undefined, after: undefined, back: [] }),
        }
      : null,
    ip: e.ip,
    userAgent: e.userAgent,
    details: detailsOf(e.details),
  };
}

/** The user ids an event names (actor, target), so the page can show their e-mail addresses. */
export function userIdsIn(e: AuditEventView): string[] {
  const ids: string[] = [];
  if (e.actor.type === 'user' && e.actor.id) ids.push(e.actor.id);
  if (e.target?.type === 'user' && e.target.id) ids.push(e.target.id);
  return ids;
}

/** Details as name/value lines: nested objects by dotted names, lists joined, long values cut. */
export function detailsOf(details: Record<string, unknown>): { name: string; value: string }[] {
  const lines: { name: string; value: string }[] = [];
  const visit = (prefix: string, value: unknown) => {
    if (lines.length > MAX_DETAILS) return;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) visit(prefix ? `${prefix}.${key}` : key, inner);
      return;
    }
    lines.push({ name: wordsOf(prefix), value: textOf(value) });
  };
  visit('', details);
  if (lines.length > MAX_DETAILS) {
    lines.length = MAX_DETAILS;
    lines.push({ name: '…', value: 'more details in the API (GET /v1/admin/audit)' });
  }
  return lines;
}

function textOf(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  const text = Array.isArray(value)
    ? value.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))).join(', ') || 'none'
    : String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** `tokenRotated` → `Token rotated`, `request.ip` → `Request ip`. */
function wordsOf(name: string): string {
  const words = name
    .replaceAll('.', ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const shortId = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);
